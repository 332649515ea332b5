/**
 * An agent that could reach nobody for 20 days: its spool keeps the last 14 days (on a fake
 * clock), counts what it dropped, and when the hub answers again sends the backlog newest first,
 * at most five callbacks a request, one request at a time, until nothing waits. The hub stores
 * each callback once, even one it had already stored before the agent heard the answer.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deliverSpool } from '../../src/agent/callback-delivery.js';
import { CallbackSpool } from '../../src/agent/callback-spool.js';
import { DeliveryTargets } from '../../src/agent/delivery-targets.js';
import { defaultRetryAfterSeconds } from '../../src/collector/callbacks/intake-refusals.js';
import { hubStatus } from '../../src/hub/hub-status.js';
import { callbackBatchPath, maxCallbacksPerBatch } from '../../src/protocol/callback-batch.js';
import type { CallbackV1 } from '../../src/protocol/callback-schema.js';
import { silentLogger } from '../../src/shared/logger.js';
import { sampleCallback, sampleProcessCount } from '../support/sample-callback.js';
import { realisticCallback } from '../support/realistic-callback.js';
import { storeOutage, type StoreOutage } from '../support/store-outage.js';
import {
  activateTestAgent,
  startTestCollector,
  type TestAgent,
  type TestCollector,
} from '../support/test-collector.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { serverUrl, storeKind } from '../support/test-store.js';

const dayMillis = 24 * 60 * 60_000;
const callbacksPerDay = 4;

describe(`an agent's backlog after 20 days without contact (${storeKind} store)`, () => {
  let hub: TestHub;
  let agent: TestAgent;
  let dir: string;
  let spool: CallbackSpool;
  let targets: DeliveryTargets;
  /** Every callback the agent made, in the order it made them. */
  const made: CallbackV1[] = [];
  /** The callback ids of each request the agent sent, in the order sent. */
  const requests: string[][] = [];
  let nowMillis = Date.now() - 20 * dayMillis;

  before(async () => {
    hub = await startTestHub();
    agent = await activateTestAgent(hub, 'desk-offline');
    dir = await mkdtemp(join(tmpdir(), 'strata-backlog-'));
    spool = new CallbackSpool({ dir: join(dir, 'spool'), nowMillis: () => nowMillis });
    await spool.open();
    targets = new DeliveryTargets(agent.identity, agent.keys.privateKeyPem, dir, silentLogger());
    // Each request is seen on its way out; it still goes to the real hub.
    const client = targets.hub.client;
    const request = client.request.bind(client);
    client.request = async (path, payload) => {
      const body = payload as { callbacks?: CallbackV1[] } & CallbackV1;
      requests.push((body.callbacks ?? [body]).map((callback) => callback.callbackId));
      return request(path, payload);
    };
  });

  after(async () => {
    await hub?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps 14 of 20 days of callbacks and counts the older as aged out', async () => {
    for (let i = 0; i < 20 * callbacksPerDay; i++) {
      const callback = { ...sampleCallback('desk-offline'), spoolDrops: { ...spool.dropped } };
      callback.sampledAt = new Date(nowMillis).toISOString();
      await spool.add(callback);
      made.push(callback);
      nowMillis += dayMillis / callbacksPerDay;
    }
    nowMillis -= dayMillis / callbacksPerDay;

    const kept = 14 * callbacksPerDay + 1; // the one exactly 14 days old is still inside
    assert.equal((await spool.names()).length, kept);
    assert.equal(spool.dropped.agedOut, made.length - kept);
  });

  it('sends the backlog newest first, at most five a request, until nothing waits', async () => {
    // The hub stored this one before, but its answer never reached the agent.
    const alreadyStored = made.at(-3)!;
    const first = await agent.hub.request('/api/v1/callbacks', alreadyStored);
    assert.equal(first.kind, 'reply');
    const duplicatesBefore = hub.context.counters.callbacksDuplicate;

    const result = await deliverSpool(spool, targets, silentLogger());

    const kept = made.slice(-(14 * callbacksPerDay + 1));
    assert.deepEqual(result, { status: 'delivered', delivered: kept.length });
    assert.deepEqual(await spool.names(), []);
    assert.ok(requests.every((ids) => ids.length >= 1 && ids.length <= maxCallbacksPerBatch));
    assert.equal(requests.length, Math.ceil(kept.length / maxCallbacksPerBatch));
    assert.deepEqual(
      requests.flat(),
      kept.map((callback) => callback.callbackId).reverse(),
      'newest first, each once',
    );
    assert.equal(hub.context.counters.callbacksDuplicate - duplicatesBefore, 1);
  });

  it('stores each kept callback once and none of the dropped', async () => {
    const [row] = await hub.context.store.query<{ n: number; processes: number }>(
      `SELECT count(*)::int AS n, (SELECT count(*)::int FROM process_samples) AS processes
       FROM callbacks`,
    );
    const kept = 14 * callbacksPerDay + 1;
    assert.equal(row!.n, kept);
    assert.equal(row!.processes, kept * sampleProcessCount, 'no callback stored twice');
    const dropped = made.slice(0, made.length - kept).map((callback) => callback.callbackId);
    const found = await hub.context.store.query(
      'SELECT 1 FROM callbacks WHERE callback_id = ANY($1::uuid[])',
      [dropped],
    );
    assert.equal(found.length, 0);
  });

  it('refuses as malformed a batch over five, an empty one, and a non-batch', async () => {
    const malformedBefore = hub.context.rejections.get('malformed');
    const six = Array.from({ length: 6 }, () => sampleCallback('desk-offline'));
    const bodies = [
      { schema: 'strata.callback-batch.v1', callbacks: six },
      { schema: 'strata.callback-batch.v1', callbacks: [] },
      six[0],
    ];

    for (const body of bodies) {
      const result = await agent.hub.request(callbackBatchPath, body);
      assert.equal(result.kind === 'refused' && result.code, 'malformed');
    }

    assert.equal(hub.context.rejections.get('malformed') - malformedBefore, bodies.length);
    const found = await hub.context.store.query(
      'SELECT 1 FROM callbacks WHERE callback_id = ANY($1::uuid[])',
      [six.map((callback) => callback.callbackId)],
    );
    assert.equal(found.length, 0, 'nothing of a refused batch is stored');
  });

  it('shows the drop counts the newest callback carried on the hub’s status', async () => {
    const status = await hubStatus(hub.context.store);

    assert.equal(status.agentSpoolDrops.agedOut, made.at(-1)!.spoolDrops!.agedOut);
    assert.ok(status.agentSpoolDrops.agedOut! > 0);
  });
});

describe(`a backlog through a callback collector (${storeKind} store)`, () => {
  let hub: TestHub;
  let outage: StoreOutage;
  let collector: TestCollector;
  let agent: TestAgent;
  let dir: string;
  let spool: CallbackSpool;
  let targets: DeliveryTargets;
  const sent: string[] = [];
  let waiting = 0;

  before(async () => {
    hub = await startTestHub();
    outage = storeOutage(hub);
    // Room for a batch or two: past that the collector refuses while the store is away.
    collector = await startTestCollector(hub, { config: { maxQueueBytes: 150_000 } });
    agent = await activateTestAgent(hub, 'desk-backlog');
    dir = await mkdtemp(join(tmpdir(), 'strata-backlog-'));
    spool = new CallbackSpool({ dir: join(dir, 'spool') });
    await spool.open();
    targets = new DeliveryTargets(agent.identity, agent.keys.privateKeyPem, dir, silentLogger());
    await until('the collector listed', async () => {
      await targets.refresh(true);
      return targets.collectorCount === 1;
    });
  });

  after(async () => {
    await collector?.cleanup();
    await outage?.close();
    await hub?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  const spoolRealistic = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const callback = realisticCallback('desk-backlog');
      await spool.add(callback);
      sent.push(callback.callbackId);
    }
  };

  const storedIds = async () => {
    const rows = await (outage.store() ?? hub.context.store).query<{ callback_id: string }>(
      'SELECT callback_id FROM callbacks',
    );
    return rows.map((row) => row.callback_id);
  };

  it('acknowledges each callback of a batch alone and sets aside only the bad one', async () => {
    await spoolRealistic(6);
    const bad = { ...realisticCallback('desk-backlog'), cpuPercent: 500 };
    await spool.add(bad);
    await spoolRealistic(2);

    const result = await deliverSpool(spool, targets, silentLogger());

    assert.deepEqual(result, { status: 'delivered', delivered: 8 });
    assert.equal(spool.dropped.refusedByHub, 1);
    assert.deepEqual(await spool.names(), []);
    await until('the batch stored', async () => (await storedIds()).length === 8);
    assert.deepEqual(new Set(await storedIds()), new Set(sent));
  });

  it('waits the collector’s Retry-After when it and the hub cannot store', async () => {
    await outage.goAway();
    await spoolRealistic(12);

    const result = await deliverSpool(spool, targets, silentLogger());

    assert.equal(result.status, 'pending');
    // The hub is the last one asked: on a store server it answers, asking to come back later;
    // on the embedded store it is down with its store.
    const reason = result.status === 'pending' ? result.reason : '';
    assert.match(reason, serverUrl ? /^hub .*store_unavailable/ : /^hub /);
    assert.equal(
      result.status === 'pending' && result.retryAfterMillis,
      defaultRetryAfterSeconds.queue_full * 1000,
      'the collector’s Retry-After is what the agent waits',
    );
    assert.ok(collector.counters.refused.queue_full >= 1);
    waiting = (await spool.names()).length;
    assert.equal(waiting, 12 - result.delivered);
    assert.ok(waiting > 0);
  });

  it('sends the rest once the store is back, and stores every callback once', async () => {
    await outage.comeBack();
    await until('the collector drained', async () => collector.queue.stats().records === 0);

    const result = await deliverSpool(spool, targets, silentLogger());

    assert.deepEqual(result, { status: 'delivered', delivered: waiting });
    await until('everything stored', async () => (await storedIds()).length === sent.length);
    const stored = await storedIds();
    assert.equal(new Set(stored).size, stored.length, 'none stored twice');
    assert.deepEqual(new Set(stored), new Set(sent));
  });
});

async function until(what: string, probe: () => Promise<boolean>, timeoutMillis = 30_000) {
  const deadline = Date.now() + timeoutMillis;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
