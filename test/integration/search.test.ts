/**
 * One search box across the data: callbacks sent by activated agents through the hub's real
 * intake fill the names dictionary, and a search for part of a name finds the machine, the
 * user, the application and the process, each with its link target; on the store under test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiToken } from '../../src/hub/credentials.js';
import { loadMigrations } from '../../src/store/migrate.js';
import { realisticCallback } from '../support/realistic-callback.js';
import { activateTestAgent } from '../support/test-collector.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { createTestStore, storeKind } from '../support/test-store.js';

interface Hit {
  name: string;
  detail: string;
  target: { kind: string; id?: string; name?: string };
}
interface Answer {
  q: string;
  groups: Array<{ kind: string; label: string; hits: Hit[] }>;
}

describe(`search across the data (${storeKind} store)`, () => {
  let hub: TestHub;
  let token: string;
  let machineId: string;

  const search = async (q: string, limit = 10) => {
    const response = await fetch(
      `${hub.url}/api/v1/search?q=${encodeURIComponent(q)}&limit=${limit}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    assert.equal(response.status, 200);
    const answer = (await response.json()) as Answer;
    return Object.fromEntries(answer.groups.map((group) => [group.kind, group.hits]));
  };

  before(async () => {
    hub = await startTestHub();
    token = (await createApiToken(hub.context.store, { role: 'viewer', actor: 'test' })).token;
    for (const host of ['finance-desk-17', 'finance-desk-18']) {
      const agent = await activateTestAgent(hub, host);
      const callback = realisticCallback(host);
      if (host.endsWith('17')) {
        callback.processes[0]!.name = 'QuarterlyLedgerTool';
        callback.applicationEvents!.push({
          event: 'started',
          at: callback.sampledAt,
          application: 'PayrollStudio',
          pid: 5_001,
          account: callback.users[0]!.account,
          durationMillis: null,
        });
      }
      const sent = await agent.hub.request('/api/v1/callbacks', callback);
      assert.equal(sent.kind, 'reply');
      // The same callback again: stored once, counted once.
      await agent.hub.request('/api/v1/callbacks', callback);
    }
    const [machine] = await hub.context.store.query<{ id: string }>(
      "SELECT id FROM machines WHERE hostname = 'finance-desk-17'",
    );
    machineId = machine!.id;
  });
  after(async () => {
    await hub?.cleanup();
  });

  it('finds a machine, a user, an application and a process by part of a name', async () => {
    const found = await search('desk-17');
    assert.deepEqual(found.machine, [
      {
        name: 'finance-desk-17',
        detail: 'finance-desk-17.corp.example',
        target: { kind: 'machine', id: machineId },
      },
    ]);
    assert.deepEqual(
      (await search('nceDESK17')).user!.map((hit) => hit.target),
      [{ kind: 'user', name: 'financedesk17@CORP.EXAMPLE' }],
    );
    assert.deepEqual((await search('rollstud')).application, [
      {
        name: 'PayrollStudio',
        detail: 'on 1 machine',
        target: { kind: 'application', name: 'PayrollStudio' },
      },
    ]);
    assert.deepEqual(
      (await search('ledger')).process!.map((hit) => [hit.name, hit.detail]),
      [['QuarterlyLedgerTool', 'on 1 machine']],
    );
  });

  it('counts each name once per machine, and ranks exact names first', async () => {
    const found = await search('excel');
    assert.deepEqual(
      found.application!.map((hit) => [hit.name, hit.detail]),
      [['excel', 'on 2 machines']],
    );
    const processes = (await search('teams', 3)).process!;
    assert.equal(processes.length, 3);
    assert.deepEqual(processes[0], {
      name: 'teams',
      detail: 'on 2 machines',
      target: { kind: 'process', name: 'teams' },
    });
    assert.ok(processes.slice(1).every((hit) => hit.name.startsWith('teams-helper-')));
    // A pattern character is text, not a wildcard.
    assert.deepEqual((await search('e_cel')).application, []);
  });

  it('refuses a search without text or with an unknown field', async () => {
    for (const [path, field] of [
      ['/api/v1/search', 'q'],
      ['/api/v1/search?q=a&limit=0', 'limit'],
      ['/api/v1/search?q=a&kind=machine', 'kind'],
    ] as const) {
      const response = await fetch(`${hub.url}${path}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await response.json()) as { code: string; field: string };
      assert.deepEqual([response.status, body.code, body.field], [400, 'invalid_parameter', field]);
    }
  });

  it('looks names up through trigram indexes', async () => {
    const [trigrams] = await hub.context.store.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'pg_trgm'",
    );
    assert.equal(trigrams!.n, 1, 'pg_trgm is loaded');
    const plan = await hub.context.store.transaction(async (tx) => {
      // The tables are tiny here; without this the planner rightly reads them whole.
      await tx.query('SET LOCAL enable_seqscan = off');
      const explain = async (sql: string) =>
        (await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`))
          .map((row) => row['QUERY PLAN'])
          .join('\n');
      return [
        await explain("SELECT id FROM machines WHERE hostname ILIKE '%desk-1%'"),
        await explain("SELECT id FROM users WHERE account ILIKE '%desk17%'"),
      ].join('\n');
    });
    // On a dictionary this small the planner prefers its primary key; the index is there.
    const [dictionary] = await hub.context.store.query<{ indexdef: string }>(
      "SELECT indexdef FROM pg_indexes WHERE indexname = 'known_names_trigrams'",
    );
    assert.match(dictionary!.indexdef, /USING gin \(name gin_trgm_ops\)/);
    assert.match(plan, /machines_hostname_trigrams/);
    assert.match(plan, /users_account_trigrams/);
  });
});

describe(`the names dictionary filled from stored data (${storeKind} store)`, () => {
  it('holds every process and application name already stored, with machine counts', async () => {
    const test = await createTestStore();
    try {
      const { store } = test;
      const [migration] = (await loadMigrations()).filter((m) => m.version === 19);
      await store.execScript('DROP TABLE known_names; DROP TABLE known_name_machines;');
      const machine = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
      await store.query(
        `INSERT INTO process_samples (machine_id, sampled_at, callback_id, pid, parent_pid, name,
           command, account, cpu_percent, memory_rss_bytes)
         SELECT m::uuid, now(), gen_random_uuid(), 1, 0, n, '', 'a@B', 0, 0
         FROM unnest($1::text[]) m, unnest(ARRAY['old-tool', 'shell']) n`,
        [[machine(1), machine(2)]],
      );
      await store.query(
        `INSERT INTO application_events (machine_id, callback_id, at, event, application, account)
         VALUES ($1, gen_random_uuid(), now(), 'started', 'OldSuite', 'a@B')`,
        [machine(3)],
      );
      await store.execScript(migration!.sql);
      const rows = await store.query<{ kind: string; name: string; machine_count: number }>(
        'SELECT kind, name, machine_count FROM known_names ORDER BY kind, name',
      );
      assert.deepEqual(
        rows.map((row) => [row.kind, row.name, row.machine_count]),
        [
          ['application', 'OldSuite', 1],
          ['process', 'old-tool', 2],
          ['process', 'shell', 2],
        ],
      );
    } finally {
      await test.cleanup();
    }
  });
});
