/**
 * Three callback collectors in their own processes and a real agent: it spreads callbacks over
 * all three round robin, goes on through the one left when two are killed (SIGKILL), falls back
 * to the hub when all three are down, and keeps its callbacks when nobody answers at all. Once
 * the collectors are back, every callback the agent made is stored exactly once.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAgent, type RunningAgent } from '../../src/agent/agent.js';
import { silentLogger } from '../../src/shared/logger.js';
import {
  collectorProcess,
  untilCollectorsListed,
  freshPort,
  type CollectorProcess,
} from '../support/collector-process.js';
import { realisticRows, realisticSample } from '../support/realistic-callback.js';
import { issueToken } from '../support/test-collector.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

const pause = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

describe(`an agent failing over across three collectors (${storeKind} store)`, () => {
  let hub: TestHub;
  let baseDir: string;
  let collectors: CollectorProcess[];
  let ids: string[];
  let agent: RunningAgent;
  /** Callbacks the agent made: one per sample, including the one it takes at start. */
  let sampled = 0;

  before(async () => {
    // An hour between the agent's own samples: every callback here is one the test asked for.
    hub = await startTestHub({ callbackIntervalSeconds: 3_600 });
    baseDir = await mkdtemp(join(tmpdir(), 'strata-three-'));
    const common = { hubUrl: hub.url, databaseUrl: hub.databaseUrl };
    collectors = ['a', 'b', 'c'].map((name) =>
      collectorProcess({ ...common, baseDir: join(baseDir, name), port: freshPort() }),
    );
    for (const collector of collectors) await collector.start(await issueToken(hub, 'collector'));
    await Promise.all(collectors.map((collector) => collector.ready()));
    ids = await Promise.all(collectors.map(async (collector) => (await collector.peer()).id));
    await untilCollectorsListed(hub.context.store, 3);
    agent = await startAgent({
      dataDir: join(baseDir, 'agent'),
      hubUrl: hub.url,
      token: await issueToken(hub, 'agent'),
      logger: silentLogger(),
      sample: async () => {
        sampled++;
        return realisticSample('desk-three');
      },
    });
  });

  after(async () => {
    await agent?.stop();
    for (const collector of collectors ?? []) await collector.kill();
    await hub?.cleanup();
    await rm(baseDir, { recursive: true, force: true });
  });

  /** Has the agent take and deliver `count` callbacks; each must be acknowledged at once. */
  const deliver = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const result = await agent.callbackNow();
      assert.equal(result.status, 'delivered', JSON.stringify(result));
    }
    assert.deepEqual(await agent.spool.names(), [], 'nothing waits in the agent’s spool');
  };

  /** The collector (or 'hub') that took each callback sampled in [from, to), when stored. */
  const takers = async (fromMillis: number, toMillis: number) => {
    const rows = await hub.context.store.query<{ via: string }>(
      `SELECT coalesce(collector_id::text, 'hub') AS via FROM callbacks
       WHERE sampled_at >= $1 AND sampled_at < $2`,
      [new Date(fromMillis), new Date(toMillis)],
    );
    return rows.map((row) => row.via);
  };

  /** Waits until the store holds every callback sampled (queued ones drain in the background). */
  const storedAll = async () => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [row] = await hub.context.store.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM callbacks',
      );
      if (row!.n >= sampled || Date.now() > deadline) return row!.n;
      await pause(200);
    }
  };

  let allUp: [number, number];
  let twoDown: [number, number];
  let allDown: [number, number];

  it('spreads callbacks over all three collectors round robin while they run', async () => {
    await agent.callbackNow(); // the one taken at start may still be on its way
    const fromMillis = Date.now();
    await deliver(6);
    allUp = [fromMillis, Date.now()];
  });

  it('delivers every callback through the one collector left when two are down', async () => {
    await Promise.all([collectors[0]!.kill(), collectors[1]!.kill()]);
    const fromMillis = Date.now();
    await deliver(6);
    twoDown = [fromMillis, Date.now()];
  });

  it('falls back to the hub when no collector answers', async () => {
    await collectors[2]!.kill();
    const fromMillis = Date.now();
    await deliver(3);
    allDown = [fromMillis, Date.now()];
  });

  it('stores every callback once, through the collector or hub that took it', async () => {
    await Promise.all(collectors.map((collector) => collector.start()));
    await Promise.all(collectors.map((collector) => collector.ready()));
    await storedAll();
    await pause(1_000); // anything still draining would show as a double below

    assert.equal(await storedAll(), sampled, 'every callback the agent made is stored');
    const spread = await takers(...allUp);
    assert.deepEqual(
      ids.map((id) => spread.filter((via) => via === id).length),
      [2, 2, 2],
      'round robin gave each collector its turn',
    );
    assert.deepEqual(await takers(...twoDown), Array(6).fill(ids[2]), 'the one left took all');
    assert.deepEqual(await takers(...allDown), Array(3).fill('hub'));
    const [processes] = await hub.context.store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM process_samples',
    );
    assert.equal(processes!.n, sampled * realisticRows.process_samples, 'no callback stored twice');
  });

  it('keeps its callbacks and reports them pending when the hub is away too', async () => {
    await Promise.all(collectors.map((collector) => collector.kill()));
    await hub.close();

    const result = await agent.callbackNow();

    assert.equal(result.status, 'pending');
    assert.equal((await agent.spool.names()).length, 1, 'the callback waits on disk');
  });
});
