/**
 * Made-up but schema-valid machine samples and callbacks, for tests that need many callbacks
 * fast or need to know exactly what was sent.
 */
import { randomUUID } from 'node:crypto';
import type { CallbackV1, MachineSample } from '../../src/protocol/callback-schema.js';

/** How many processes every sample carries, so tests can count stored process rows. */
export const sampleProcessCount = 3;

/** A machine sample taken now, with `sampleProcessCount` processes and one signed-in user. */
export function sampleMachine(hostname = 'desk-0042'): MachineSample {
  const now = new Date().toISOString();
  return {
    sampledAt: now,
    machine: {
      hostname,
      fqdn: `${hostname}.corp.example`,
      os: {
        platform: 'linux',
        distro: 'Debian GNU/Linux',
        release: '12',
        kernel: '6.1',
        arch: 'x64',
      },
      cpu: { model: 'Test CPU', logicalCount: 4, physicalCount: 2, speedGhz: 2.4 },
      memory: { totalBytes: 16e9, usedBytes: 6e9, availableBytes: 10e9 },
      bootedAt: now,
    },
    cpuPercent: 17.5,
    load1: 0.8,
    disks: [{ mount: '/', device: '/dev/vda1', fsType: 'ext4', sizeBytes: 1e11, usedBytes: 4e10 }],
    interfaces: [
      {
        name: 'eth0',
        mac: '52:54:00:12:34:56',
        ipv4: ['10.0.0.42'],
        ipv6: [],
        speedMbps: 1000,
        isVirtual: false,
      },
    ],
    users: [{ account: 'ada@CORP.EXAMPLE', terminal: 'tty2', from: '', loggedInAt: now }],
    processes: Array.from({ length: sampleProcessCount }, (_, index) => ({
      pid: 1_000 + index,
      parentPid: 1,
      name: `worker-${index}`,
      command: `/usr/bin/worker-${index} --serve`,
      account: 'ada@CORP.EXAMPLE',
      cpuPercent: 1.5,
      memoryRssBytes: 50e6,
      startedAt: now,
    })),
  };
}

/** A whole callback with a fresh random id. */
export function sampleCallback(hostname?: string): CallbackV1 {
  return {
    schema: 'strata.callback.v1',
    callbackId: randomUUID(),
    agentVersion: 'test',
    ...sampleMachine(hostname),
  };
}
