/**
 * A callback collector between agents and the store, on the store under test: callbacks go
 * through its disk queue into the store once each, the hub lists it and pushes settings to
 * it, back-pressure answers 503 with Retry-After, and the hub caps the number of collectors.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { activate } from '../../src/agent/agent-identity.js';
import { createKeyPair } from '../../src/protocol/key-pair.js';
import { realisticCallback, realisticRowsPerCallback } from '../support/realistic-callback.js';
import {
  activateTestAgent,
  issueToken,
  startTestCollector,
  type TestAgent,
  type TestCollector,
} from '../support/test-collector.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

type Collector = { id: string; url: string; publicKeyPem: string };

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe(`a callback collector (${storeKind} store)`, () => {
  let hub: TestHub;
  let collector: TestCollector;
  let agent: TestAgent;
  let listed: Collector;

  before(async () => {
    hub = await startTestHub();
    collector = await startTestCollector(hub, { config: { reportIntervalSeconds: 1 } });
    agent = await activateTestAgent(hub);
  });

  after(async () => {
    await collector?.cleanup();
    await hub?.cleanup();
  });

  const countCallbacks = async () => {
    const rows = await hub.context.store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM callbacks WHERE collector_id IS NOT NULL',
    );
    return rows[0]!.n;
  };

  it('is listed to agents, over their channel to the hub, once it has reported', async () => {
    const collectors = await until('the collector in the agents’ list', async () => {
      const result = await agent.hub.request('/api/v1/agent/collectors', {});
      assert.equal(result.kind, 'reply');
      const list = (result.body as { collectors: Collector[] }).collectors;
      return list.length > 0 ? list : null;
    });
    listed = collectors[0]!;
    assert.equal(listed.id, collector.identity.componentId);
    assert.equal(listed.url, collector.url);
  });

  it('acknowledges callbacks after queuing them and stores each once', async () => {
    const channel = agent.to(listed);
    const callbacks = Array.from({ length: 25 }, () => realisticCallback('desk-collector'));
    for (const callback of [...callbacks, callbacks[0]!, callbacks[1]!]) {
      const result = await channel.request('/api/v1/callbacks', callback);
      assert.equal(result.kind, 'reply');
      assert.equal((result.body as { callbackId: string }).callbackId, callback.callbackId);
    }

    await until('all callbacks stored', async () => (await countCallbacks()) === 25);
    const [rows] = await hub.context.store.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM process_samples) + (SELECT count(*) FROM connection_samples)
         + (SELECT count(*) FROM logon_events) + (SELECT count(*) FROM application_events)
         + (SELECT count(*) FROM machine_samples) + (SELECT count(*) FROM callbacks) AS n`,
    );
    assert.equal(Number(rows!.n), 25 * realisticRowsPerCallback);
    await until('the queue drained', async () => collector.queue.stats().records === 0);
    assert.equal(collector.counters.duplicates, 2, 'the two repeats were found stored already');
  });

  it('shows in the hub’s collector list with its queue and intake figures', async () => {
    const cookie = await hub.signInAsAdmin();
    const body = await until('a report with the intake figures', async () => {
      await collector.reporter.reportNow();
      const response = await fetch(`${hub.url}/api/v1/collectors`, { headers: { cookie } });
      const list = (await response.json()) as {
        collectors: Array<{ id: string; state: string; intake: { accepted: number } | null }>;
      };
      const entry = list.collectors.find((c) => c.id === collector.identity.componentId);
      return entry?.intake?.accepted === 27 ? entry : null;
    });
    assert.equal(body.state, 'up');
    assert.ok('queue' in body);
  });

  it('takes the settings the hub pushes with its next report', async () => {
    const cookie = await hub.signInAsAdmin();
    const response = await fetch(
      `${hub.url}/api/v1/collectors/${collector.identity.componentId}/config`,
      {
        method: 'PUT',
        headers: { cookie, 'content-type': 'application/json', 'x-strata-request': '1' },
        body: JSON.stringify({ maxQueueBytes: 100_000, reportIntervalSeconds: 1 }),
      },
    );
    assert.equal(response.status, 200);
    const { configVersion } = (await response.json()) as { configVersion: number };
    await collector.reporter.reportNow();
    assert.equal(collector.reporter.configVersion, configVersion);
  });

  it('shows each collector in the hub’s status and /metrics', async () => {
    const cookie = await hub.signInAsAdmin();
    const metrics = await (await fetch(`${hub.url}/metrics`, { headers: { cookie } })).text();
    const id = collector.identity.componentId;
    assert.match(metrics, new RegExp(`strata_collector_queue_records\\{collector="${id}"\\} 0`));
    assert.match(
      metrics,
      new RegExp(`strata_collector_refused_total\\{collector="${id}",reason="queue_full"\\} 0`),
    );
    const status = (await (
      await fetch(`${hub.url}/api/v1/status`, { headers: { cookie } })
    ).json()) as {
      collectors: Array<{ id: string; state: string }>;
    };
    assert.deepEqual(
      status.collectors.map((c) => [c.id, c.state]),
      [[id, 'up']],
    );
  });

  it('refuses an eleventh collector by default, and keeps the token’s use', async () => {
    const token = await issueToken(hub, 'collector', 11);
    const activateOne = async (index: number) =>
      activate({
        dataDir: join(collector.dataDir, `extra-${index}`),
        hubUrl: hub.url,
        token,
        kind: 'collector',
        name: `extra-${index}`,
        keys: await createKeyPair(),
      });
    for (let index = 2; index <= 10; index++) await activateOne(index);
    await assert.rejects(activateOne(11), /collector_limit/);
    const [row] = await hub.context.store.query<{ uses_left: number }>(
      'SELECT uses_left FROM activation_tokens ORDER BY created_at DESC LIMIT 1',
    );
    assert.equal(row!.uses_left, 2, 'the refused activation spent no use');
  });
});
