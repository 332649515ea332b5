import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  realisticCallback,
  realisticRows,
  realisticRowsPerCallback,
} from '../../test/support/realistic-callback.js';
import {
  addTestComponent,
  createTestStore,
  storeKind,
  type TestStore,
} from '../../test/support/test-store.js';
import type { Queryable } from '../store/store.js';
import { prepareCallbacks, storeCallbacks } from './store-callbacks.js';

async function countRows(db: Queryable, table: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return row!.n;
}

describe(`storing callbacks in batches (${storeKind} store)`, () => {
  let test: TestStore;

  before(async () => {
    test = await createTestStore();
  });

  after(async () => {
    await test?.cleanup();
  });

  it('writes every row of a batch once, and a repeat of it nowhere', async () => {
    const [agentA, agentB] = [
      await addTestComponent(test.store, 'agent'),
      await addTestComponent(test.store, 'agent'),
    ];
    const collector = await addTestComponent(test.store, 'collector');
    const batch = [
      { agentId: agentA, callback: realisticCallback('desk-a'), collectorId: collector },
      { agentId: agentB, callback: realisticCallback('desk-b') },
      { agentId: agentA, callback: realisticCallback('desk-a') },
    ];

    const first = await storeCallbacks(test.store, [...batch, batch[0]!]);
    const second = await storeCallbacks(test.store, batch);

    assert.deepEqual([first.stored, first.duplicates], [3, 1]);
    assert.equal(first.rows, 3 * realisticRowsPerCallback);
    assert.deepEqual([second.stored, second.duplicates, second.rows], [0, 3, 0]);
    for (const [table, perCallback] of Object.entries(realisticRows)) {
      assert.equal(await countRows(test.store, table), 3 * perCallback, table);
    }
    const via = await test.store.query<{ collector_id: string | null }>(
      'SELECT collector_id FROM callbacks WHERE callback_id = $1',
      [batch[0]!.callback.callbackId],
    );
    assert.equal(via[0]!.collector_id, collector);
    assert.equal(await countRows(test.store, 'machines'), 2);
    assert.equal(await countRows(test.store, 'machine_users'), 2);
  });

  it('stores a batch prepared ahead once, its stored part and the unprepared too', async () => {
    const [agentA, agentB] = [
      await addTestComponent(test.store, 'agent'),
      await addTestComponent(test.store, 'agent'),
    ];
    const [a1, b1, a2, a3] = [
      { agentId: agentA, callback: realisticCallback('ahead-a') },
      { agentId: agentB, callback: realisticCallback('ahead-b') },
      { agentId: agentA, callback: realisticCallback('ahead-a') },
      { agentId: agentA, callback: realisticCallback('ahead-a') },
    ];
    await storeCallbacks(test.store, [a1]);
    const before = await countRows(test.store, 'process_samples');

    const prepared = await prepareCallbacks(test.store, [a1, b1, a2]);
    // The new agent's machine is there before its first callback is stored.
    const machines = await test.store.query<{ id: string; agent_id: string }>(
      'SELECT id, agent_id FROM machines WHERE agent_id = ANY($1::uuid[])',
      [[agentA, agentB]],
    );
    assert.equal(machines.length, 2);
    const outcome = await storeCallbacks(test.store, [a1, b1, a2, a3], Date.now, prepared);
    const again = await storeCallbacks(test.store, [b1, a2], Date.now, prepared);

    assert.deepEqual([outcome.stored, outcome.duplicates], [3, 1]);
    assert.deepEqual([again.stored, again.duplicates], [0, 2]);
    assert.equal(
      await countRows(test.store, 'process_samples'),
      before + 3 * realisticRows.process_samples,
    );
    const machineOf = new Map(machines.map((row) => [row.agent_id, row.id]));
    for (const { agentId, callback } of [b1, a2, a3]) {
      const rows = await test.store.query<{ machine_id: string; n: number }>(
        `SELECT machine_id, count(*)::int AS n FROM process_samples WHERE callback_id = $1
         GROUP BY machine_id`,
        [callback.callbackId],
      );
      assert.deepEqual(rows, [
        { machine_id: machineOf.get(agentId), n: realisticRows.process_samples },
      ]);
    }
  });

  it('keeps tabs, newlines and backslashes in text exactly as sent', async () => {
    const agent = await addTestComponent(test.store, 'agent');
    const callback = realisticCallback('desk-text');
    const command = 'C:\\Program Files\\app.exe --a\t--b\n--c\r\\N';
    callback.processes[0]!.command = command;
    await storeCallbacks(test.store, [{ agentId: agent, callback }]);
    const rows = await test.store.query<{ command: string }>(
      'SELECT command FROM process_samples WHERE callback_id = $1 AND pid = $2',
      [callback.callbackId, callback.processes[0]!.pid],
    );
    assert.equal(rows[0]!.command, command);
  });

  it('moves the latest figures forward only, whatever order samples arrive in', async () => {
    const agent = await addTestComponent(test.store, 'agent');
    const newer = realisticCallback('desk-order', new Date('2030-01-02T00:00:00Z'));
    const older = realisticCallback('desk-order', new Date('2030-01-01T00:00:00Z'));
    newer.cpuPercent = 80;
    older.cpuPercent = 5;
    await storeCallbacks(test.store, [{ agentId: agent, callback: newer }]);
    await storeCallbacks(test.store, [{ agentId: agent, callback: older }]);
    const [machine] = await test.store.query<{ cpu_percent: number; latest_sampled_at: Date }>(
      'SELECT cpu_percent, latest_sampled_at FROM machines WHERE agent_id = $1',
      [agent],
    );
    assert.equal(machine!.cpu_percent, 80);
    assert.equal(new Date(machine!.latest_sampled_at).toISOString(), newer.sampledAt);
  });

  it('stores callbacks without the optional activity lists, as older agents send', async () => {
    const agent = await addTestComponent(test.store, 'agent');
    const callback = realisticCallback('desk-old');
    delete callback.connections;
    delete callback.logons;
    delete callback.applicationEvents;
    const outcome = await storeCallbacks(test.store, [{ agentId: agent, callback }]);
    assert.equal(outcome.rows, 2 + realisticRows.process_samples);
  });

  it('leaves nothing behind when a value is out of the store’s range', async () => {
    const agent = await addTestComponent(test.store, 'agent');
    const good = realisticCallback('desk-range');
    const bad = realisticCallback('desk-range');
    bad.processes[5]!.memoryRssBytes = 1e30;
    const before = await countRows(test.store, 'callbacks');
    await assert.rejects(
      storeCallbacks(test.store, [
        { agentId: agent, callback: good },
        { agentId: agent, callback: bad },
      ]),
      (error: { code?: string }) => error.code?.startsWith('22') === true,
    );
    assert.equal(await countRows(test.store, 'callbacks'), before);
  });
});
