/**
 * Callbacks shaped like a busy desktop's: one machine sample, 60 processes, 10 connections,
 * a few logon and application events. Used by the intake tests and the intake benchmark,
 * which must count exactly what they sent.
 */
import { randomUUID } from 'node:crypto';
import type { CallbackV1 } from '../../src/protocol/callback-schema.js';

/** Rows each realistic callback adds to the store, per table. */
export const realisticRows = {
  callbacks: 1,
  machine_samples: 1,
  process_samples: 60,
  connection_samples: 10,
  logon_events: 2,
  application_events: 3,
} as const;

/** All rows of one realistic callback together. */
export const realisticRowsPerCallback = Object.values(realisticRows).reduce((a, b) => a + b, 0);

const programs = ['firefox', 'outlook', 'teams', 'excel', 'code', 'slack', 'zoom', 'explorer'];

/** A callback from the machine `hostname`, sampled `sampledAt` (default now). */
export function realisticCallback(hostname: string, sampledAt = new Date()): CallbackV1 {
  const at = sampledAt.toISOString();
  const booted = new Date(sampledAt.getTime() - 86_400_000).toISOString();
  const account = `${hostname.replace(/\W/g, '')}@CORP.EXAMPLE`;
  return {
    schema: 'strata.callback.v1',
    callbackId: randomUUID(),
    agentVersion: 'bench',
    sampledAt: at,
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
      cpu: { model: 'Xeon', logicalCount: 4, physicalCount: 2, speedGhz: 2.6 },
      memory: { totalBytes: 16e9, usedBytes: 9.5e9, availableBytes: 6.5e9 },
      bootedAt: booted,
    },
    cpuPercent: 23.5,
    load1: 1.25,
    disks: [{ mount: '/', device: '/dev/sda1', fsType: 'ext4', sizeBytes: 5e11, usedBytes: 2e11 }],
    interfaces: [
      {
        name: 'eth0',
        mac: '52:54:00:aa:bb:cc',
        ipv4: ['10.1.2.3'],
        ipv6: [],
        speedMbps: 1000,
        isVirtual: false,
      },
    ],
    users: [{ account, terminal: 'tty2', from: '', loggedInAt: booted }],
    processes: Array.from({ length: realisticRows.process_samples }, (_, i) => {
      const name = `${programs[i % programs.length]}${i < programs.length ? '' : `-helper-${i}`}`;
      return {
        pid: 1_000 + i * 7,
        parentPid: i === 0 ? 1 : 1_000,
        name,
        command: `/usr/lib/${name}/${name} --type=renderer --field-trial-handle=${i}\t--lang=en-US`,
        account,
        cpuPercent: (i % 13) * 0.7,
        memoryRssBytes: 20e6 + i * 1_234_567,
        startedAt: booted,
      };
    }),
    connections: Array.from({ length: realisticRows.connection_samples }, (_, i) => ({
      protocol: i % 5 === 4 ? ('udp' as const) : ('tcp' as const),
      localAddress: '10.1.2.3',
      localPort: 40_000 + i,
      remoteAddress: `198.51.100.${10 + i}`,
      remotePort: i % 5 === 4 ? 53 : 443,
      state: i % 5 === 4 ? '' : 'established',
      pid: 1_000 + i * 7,
      account,
    })),
    logons: [
      { account, event: 'logoff', at, terminal: 'pts/3', from: '10.9.8.7', durationMillis: null },
      { account, event: 'logon', at, terminal: 'pts/4', from: '10.9.8.7', durationMillis: 4_250 },
    ],
    applicationEvents: [
      { event: 'started', at, application: 'excel', pid: 4_242, account, durationMillis: null },
      { event: 'loaded', at, application: 'excel', pid: 4_242, account, durationMillis: 2_100 },
      {
        event: 'not_responding',
        at,
        application: 'teams',
        pid: 1_014,
        account,
        durationMillis: 6_000,
      },
    ],
  };
}

/** A realistic callback as an agent's sampler returns it: without the fields the agent adds. */
export function realisticSample(hostname: string) {
  const { schema: _s, callbackId: _c, agentVersion: _v, ...sample } = realisticCallback(hostname);
  return sample;
}
