/**
 * A callback collector killed with SIGKILL at random moments (while starting and recovering
 * its queue, while taking callbacks, while draining), twenty times in a row, on the store
 * under test. Afterwards every callback it acknowledged is stored, and none twice.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ChannelClient } from '../../src/protocol/channel-client.js';
import {
  collectorProcess,
  freshPort,
  type CollectorProcess,
} from '../support/collector-process.js';
import { realisticCallback, realisticRows } from '../support/realistic-callback.js';
import { activateTestAgent, issueToken } from '../support/test-collector.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

/** How many times the collector is killed; each kill lands at a random moment. */
const killRounds = 20;
/** Longest a round runs before its kill, from the process start: 3 s. */
const maxRoundMillis = 3_000;
const sendersPerRound = 3;

const pause = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

describe(`a callback collector killed with SIGKILL again and again (${storeKind} store)`, () => {
  let hub: TestHub;
  let baseDir: string;
  let collector: CollectorProcess;

  before(async () => {
    hub = await startTestHub();
    baseDir = await mkdtemp(join(tmpdir(), 'strata-collector-kill-'));
    collector = collectorProcess({
      baseDir,
      hubUrl: hub.url,
      port: freshPort(),
      databaseUrl: hub.databaseUrl,
    });
  });

  after(async () => {
    await collector?.kill();
    await hub?.cleanup();
    await rm(baseDir, { recursive: true, force: true });
  });

  it('stores every callback it acknowledged, exactly once', async (t) => {
    await collector.start(await issueToken(hub, 'collector'));
    await collector.ready();
    const agent = await activateTestAgent(hub, 'desk-kill');
    const channel: ChannelClient = agent.to(await collector.peer());
    const acknowledged = new Set<string>();
    let sent = 0;

    for (let round = 0; round < killRounds; round++) {
      if (round > 0) await collector.start();
      let stop = false;
      const sender = async () => {
        while (!stop) {
          const callback = realisticCallback('desk-kill');
          sent++;
          const result = await channel.request('/api/v1/callbacks', callback).catch(() => null);
          if (result?.kind === 'reply') acknowledged.add(callback.callbackId);
          else await pause(20); // down, starting, or refusing: try again shortly
        }
      };
      const senders = Array.from({ length: sendersPerRound }, sender);
      await pause(Math.random() * maxRoundMillis);
      await collector.kill();
      stop = true;
      await Promise.all(senders);
    }

    await collector.start();
    await collector.ready();
    const deadline = Date.now() + 120_000;
    let stored = new Set<string>();
    while (Date.now() < deadline) {
      const rows = await hub.context.store.query<{ callback_id: string }>(
        'SELECT callback_id FROM callbacks',
      );
      stored = new Set(rows.map((row) => row.callback_id));
      if ([...acknowledged].every((id) => stored.has(id))) break;
      await pause(200);
    }
    await pause(1_000); // anything still draining would show as a double below
    await collector.kill();

    t.diagnostic(`sent ${sent}, acknowledged ${acknowledged.size}, stored ${stored.size}`);
    assert.ok(acknowledged.size > killRounds, `callbacks acknowledged: ${acknowledged.size}`);
    const missing = [...acknowledged].filter((id) => !stored.has(id));
    assert.deepEqual(missing, [], 'every acknowledged callback is stored');
    for (const [table, perCallback] of Object.entries(realisticRows)) {
      const [row] = await hub.context.store.query<{ n: number; ids: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT callback_id)::int AS ids FROM ${table}`,
      );
      assert.equal(row!.n, stored.size * perCallback, `${table}: each callback's rows, once`);
      assert.equal(row!.ids, stored.size, `${table}: rows of every stored callback`);
    }
  });
});
