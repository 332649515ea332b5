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
});
