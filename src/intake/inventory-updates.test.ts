import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import {
  addTestComponent,
  createTestStore,
  storeKind,
  type TestStore,
} from '../../test/support/test-store.js';
import { SoftwareTracker } from '../agent/inventory/software-inventory.js';
import { collectMachineSample } from '../agent/machine-sample.js';
import { ProcessUsageTracker } from '../agent/processes/process-usage.js';
import { getMachine } from '../hub/machine-queries.js';
import type { CallbackV1 } from '../protocol/callback-schema.js';
import { checkCallback } from '../protocol/callback-validator.js';
import { storeCallbacks } from './store-callbacks.js';

describe(`hardware, software, logons and use in the store (${storeKind} store)`, () => {
  let test: TestStore;
  let callback: CallbackV1;
  before(async () => {
    test = await createTestStore();
    const sample = await collectMachineSample({
      software: new SoftwareTracker(null),
      processUsage: new ProcessUsageTracker(),
    });
    const at = Date.parse(sample.sampledAt);
    const logonAt = new Date(at - 3_600_000).toISOString();
    callback = {
      schema: 'strata.callback.v1',
      callbackId: randomUUID(),
      agentVersion: '0.0.0-test',
      ...sample,
      users: [{ account: 'alice@desk1', terminal: 'pts/0', from: '', loggedInAt: logonAt }],
      logons: [
        {
          ...{ account: 'alice@desk1', event: 'logon', at: logonAt, terminal: 'pts/0', from: '' },
          durationMillis: 3_000,
          phases: [
            { phase: 'authentication', millis: 2_500 },
            { phase: 'session_start', millis: 500 },
          ],
        },
      ],
    };
    callback.users[0]!.isAdministrator = true;
  });
  after(() => test?.cleanup());

  it('shows what this machine reported in the machine API', async () => {
    const agentId = await addTestComponent(test.store, 'agent', 'inventory-test');
    const outcome = await storeCallbacks(test.store, [{ agentId, callback }]);
    const machine = (await getMachine(test.store, outcome.callbacks[0]!.machineId))!;

    assert.equal(machine.hardware?.hypervisor, callback.hardware!.hypervisor);
    assert.equal(machine.hardware?.isVirtual, callback.hardware!.isVirtual);
    assert.deepEqual(machine.hardware?.networkCards, callback.hardware!.networkCards);
    const software = callback.software!;
    assert.equal(machine.software?.packageCount, software.packageCount);
    assert.equal(machine.software?.packages.length, software.packages?.length ?? 0);
    assert.deepEqual(machine.administrators, ['alice@desk1']);
    assert.deepEqual(machine.logons[0]?.phases, callback.logons![0]!.phases);
    const root = machine.usage.byUser.find((g) => String(g.key).startsWith('root@'));
    const sent = callback.usage!.byUser.find((g) => g.key.startsWith('root@'))!;
    assert.equal(Number(root?.memoryRssBytes), sent.memoryRssBytes);
  });

  it('keeps the package list when a later callback carries only its hash', async () => {
    const agentId = await addTestComponent(test.store, 'agent', 'inventory-test');
    const later = new Date(Date.parse(callback.sampledAt) + 60_000).toISOString();
    const { packages: _packages, ...summary } = callback.software!;
    const hashOnly = { ...callback, callbackId: randomUUID(), sampledAt: later, software: summary };
    await storeCallbacks(test.store, [
      { agentId, callback: { ...callback, callbackId: randomUUID() } },
    ]);
    const outcome = await storeCallbacks(test.store, [{ agentId, callback: hashOnly }]);
    const machine = (await getMachine(test.store, outcome.callbacks[0]!.machineId))!;
    assert.equal(machine.software?.packages.length, callback.software!.packages?.length ?? 0);
    assert.equal(machine.software?.sampledAt, later);
  });

  it('keeps GPU devices and the processes using them as a time series', async () => {
    const agentId = await addTestComponent(test.store, 'agent');
    const device = { id: '0000:01:00.0', name: 'NVIDIA A16', driver: 'nvidia' };
    const gpu = {
      devices: [
        {
          ...{ ...device, source: 'nvidia-smi' as const, busyPercent: 37 },
          ...{ memoryUsedBytes: 1_073_741_824, memoryTotalBytes: 17_179_869_184 },
        },
      ],
      processes: [
        { pid: 3141, application: 'blender', device: device.id, busyPercent: null, memoryBytes: 5 },
        { pid: 2718, application: 'firefox', device: device.id, busyPercent: 12.5, memoryBytes: 6 },
      ],
    };
    const withGpu = { ...callback, callbackId: randomUUID(), gpu };
    assert.deepEqual(checkCallback(withGpu), { ok: true, callback: withGpu });
    await storeCallbacks(test.store, [{ agentId, callback: withGpu }]);
    const rows = await test.store.query(
      `SELECT kind, device, name, pid, busy_percent FROM gpu_samples WHERE callback_id = $1
       ORDER BY kind, pid`,
      [withGpu.callbackId],
    );
    assert.deepEqual(rows, [
      { kind: 'device', device: device.id, name: 'NVIDIA A16', pid: null, busy_percent: 37 },
      { kind: 'process', device: device.id, name: 'firefox', pid: 2718, busy_percent: 12.5 },
      { kind: 'process', device: device.id, name: 'blender', pid: 3141, busy_percent: null },
    ]);
  });
});
