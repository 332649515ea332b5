/**
 * A pair of callback collectors in their own processes, and a real agent that fails over:
 * either member may die (SIGKILL) and then both, and the agent goes on delivering, to the
 * other member or to the hub. Once the dead come back, every callback is stored exactly once.
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

describe(`a pair of callback collectors, either of which may die (${storeKind} store)`, () => {
  let hub: TestHub;
  let baseDir: string;
  let first: CollectorProcess;
  let second: CollectorProcess;
  let agent: RunningAgent;
  let delivered = 0;
  /** Callbacks the agent made: one per sample, including those its own timer took. */
  let sampled = 0;

  before(async () => {
    hub = await startTestHub();
    baseDir = await mkdtemp(join(tmpdir(), 'strata-pair-'));
    const common = { hubUrl: hub.url, databaseUrl: hub.databaseUrl };
    first = collectorProcess({ ...common, baseDir: join(baseDir, 'a'), port: freshPort() });
    second = collectorProcess({ ...common, baseDir: join(baseDir, 'b'), port: freshPort() });
    await Promise.all([
      first.start(await issueToken(hub, 'collector')),
      second.start(await issueToken(hub, 'collector')),
    ]);
    await Promise.all([first.ready(), second.ready()]);
    await untilCollectorsListed(hub.context.store, 2);
    agent = await startAgent({
      dataDir: join(baseDir, 'agent'),
      hubUrl: hub.url,
      token: await issueToken(hub, 'agent'),
      logger: silentLogger(),
      sample: async () => {
        sampled++;
        return realisticSample('desk-pair');
      },
    });
  });

  after(async () => {
    await agent?.stop();
    await first?.kill();
    await second?.kill();
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
    delivered += count;
  };

  it('delivers through the pair while both members run', async () => {
    await deliver(6);
  });

  it('goes on delivering when the first member dies', async () => {
    await first.kill();
    await deliver(6);
  });

  it('goes on delivering when the second member dies and the first is back', async () => {
    await first.start();
    await first.ready();
    await second.kill();
    await deliver(6);
  });

  it('falls back to the hub when both members are down', async () => {
    await first.kill();
    await deliver(4);
  });

  it('stores every delivered callback exactly once when the members come back', async () => {
    await Promise.all([first.start(), second.start()]);
    await Promise.all([first.ready(), second.ready()]);
    // Every callback the agent made was acknowledged (its spool is empty), by one of the pair
    // or by the hub; those in the dead members' queues drain now that they are back.
    const deadline = Date.now() + 60_000;
    const count = () =>
      hub.context.store.query<{ n: number; via: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT coalesce(collector_id::text, 'hub'))::int AS via
         FROM callbacks`,
      );
    while (Date.now() < deadline && (await count())[0]!.n < sampled) await pause(200);
    await pause(1_000); // anything still draining would show as a double below
    const [row] = await count();
    assert.ok(sampled >= delivered);
    assert.equal(row!.n, sampled, 'every callback the agent made is stored');
    assert.equal(row!.via, 3, 'callbacks came through both members and the hub');
    const [processes] = await hub.context.store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM process_samples',
    );
    assert.equal(processes!.n, row!.n * realisticRows.process_samples, 'no callback stored twice');
  });
});
