/**
 * The hub's intake of flow batches, on the store under test: a batch delivered twice is
 * stored once, and a hub storing as many batches as it should at once asks for the next later.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FlowBatchWriter } from '../../src/collector/network/flow-batch-writer.js';
import { NetworkIntake } from '../../src/hub/network/network-intake.js';
import { flowRecord } from '../support/flow-records.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

describe(`the hub's intake of flow batches (${storeKind} store)`, () => {
  let hub: TestHub;

  before(async () => {
    hub = await startTestHub();
  });
  after(async () => {
    await hub?.cleanup();
  });

  it('stores a batch delivered twice once, and asks to come back later when busy', async () => {
    const writer = new FlowBatchWriter();
    writer.add(flowRecord({ origAddress: '192.0.2.1' }));
    const batch = writer.finish(Date.now()).toString('base64');
    const intake = new NetworkIntake(hub.context);
    const id = hub.context.identity.hubId; // any sender id will do here

    const [first, second, third] = await Promise.all(
      [1, 2, 3].map(() => intake.receive(id, { batch })),
    );
    const again = await intake.receive(id, { batch });

    // The two stored at once race for the batch id; either may win, the other is a duplicate.
    const duplicates = [first, second].map((o) => o!.kind === 'stored' && o!.duplicate);
    assert.deepEqual(duplicates.sort(), [false, true]);
    assert.deepEqual(third, {
      kind: 'busy',
      retryAfterSeconds: 5,
      message: 'the hub is storing other batches; send this one later',
    });
    assert.equal(again.kind === 'stored' && again.duplicate, true);
    const rows = await hub.context.store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM network_flows',
    );
    assert.equal(rows[0]!.n, 1);
  });
});
