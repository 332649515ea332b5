import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { realisticCallback } from '../../test/support/realistic-callback.js';
import {
  addTestComponent,
  createTestStore,
  storeKind,
  type TestStore,
} from '../../test/support/test-store.js';
import { storeCallbacks } from './store-callbacks.js';

describe(`the names dictionary kept by intake (${storeKind} store)`, () => {
  let test: TestStore;

  before(async () => {
    test = await createTestStore();
  });
  after(async () => {
    await test?.cleanup();
  });

  const known = async (name: string) => {
    const rows = await test.store.query<{ machine_count: number; last_seen: Date }>(
      "SELECT machine_count, last_seen FROM known_names WHERE kind = 'process' AND name = $1",
      [name],
    );
    return rows[0];
  };

  it('adds names as machines first report them, and counts each machine once', async () => {
    const [agentA, agentB] = [
      await addTestComponent(test.store, 'agent'),
      await addTestComponent(test.store, 'agent'),
    ];
    const withTool = (host: string, at: Date) => {
      const callback = realisticCallback(host, at);
      callback.processes[1]!.name = 'new-tool';
      return callback;
    };
    const hour = 3_600_000;
    const start = Date.now() - 5 * hour;

    await storeCallbacks(test.store, [
      { agentId: agentA, callback: realisticCallback('desk-a', new Date(start)) },
    ]);
    assert.equal((await known('firefox'))?.machine_count, 1);
    assert.equal(await known('new-tool'), undefined);

    // The same names again a minute later: nothing to write.
    await storeCallbacks(test.store, [
      { agentId: agentA, callback: realisticCallback('desk-a', new Date(start + 60_000)) },
    ]);
    assert.equal((await known('firefox'))?.last_seen.getTime(), start);

    // A new program on the machine, then on a second machine, two hours later.
    await storeCallbacks(test.store, [
      { agentId: agentA, callback: withTool('desk-a', new Date(start + 2 * hour)) },
    ]);
    await storeCallbacks(test.store, [
      { agentId: agentB, callback: withTool('desk-b', new Date(start + 2 * hour)) },
      { agentId: agentB, callback: withTool('desk-b', new Date(start + 2 * hour + 1)) },
    ]);
    assert.equal((await known('new-tool'))?.machine_count, 2);
    assert.equal((await known('firefox'))?.machine_count, 2);
    assert.equal((await known('firefox'))?.last_seen.getTime(), start + 2 * hour + 1);
  });
});
