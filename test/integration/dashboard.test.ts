import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiToken } from '../../src/hub/credentials.js';
import { bandOf } from '../../src/hub/rollups/experience-score.js';
import { runRollups } from '../../src/hub/rollups/rollup-run.js';
import {
  hourlyInstants,
  seedCallbacks,
  seedSite,
  type SeededSite,
} from '../support/rollup-seed.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

// The hub's clock: 5 June 2026, so 1 to 4 June are closed days.
const now = Date.parse('2026-06-05T09:00:00Z');

describe(`dashboard routes (${storeKind} store)`, () => {
  let hub: TestHub;
  let site: SeededSite;
  let viewer: string;
  let admin: string;
  const get = async (path: string, token = viewer) => {
    const response = await fetch(`${hub.url}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  before(async () => {
    hub = await startTestHub({ nowMillis: () => now });
    const store = hub.context.store;
    viewer = (await createApiToken(store, { role: 'viewer', actor: 'test' })).token;
    admin = (await createApiToken(store, { role: 'administrator', actor: 'test' })).token;
    site = await seedSite(store, 4);
    await seedCallbacks(store, site, hourlyInstants('2026-06-01T00:00Z', '2026-06-05T00:00Z'));
    await store.query('UPDATE machines SET last_seen_at = $1', [new Date(now - 3_600_000)]);
    await runRollups(store, { now });
  });
  after(async () => {
    await hub?.cleanup();
  });

  it('gives the overview counts and the score bands of the latest day', async () => {
    const { status, body } = await get('/api/v1/dashboard/overview');
    assert.equal(status, 200);
    assert.deepEqual(body.machines, { total: 4, reporting: 4 });
    assert.equal(body.users.total, 4);
    assert.equal(body.freshness.latestRolledUpDay, '2026-06-04');
    assert.equal(body.scores.day, '2026-06-04');
    const scores = await hub.context.store.query<{ score: number }>(
      "SELECT score FROM rollup_scores WHERE level = 'day' AND dimension = 'machine' " +
        "AND period_start = '2026-06-04'",
    );
    assert.equal(body.scores.Good + body.scores.Fair + body.scores.Poor, 4);
    for (const band of ['Good', 'Fair', 'Poor'] as const) {
      assert.equal(body.scores[band], scores.filter((row) => bandOf(row.score) === band).length);
    }
  });

  it('ranks machines worst first, saying what pulled each down', async () => {
    const { body } = await get('/api/v1/dashboard/worst-machines?limit=3');
    assert.equal(body.machines.length, 3);
    const scores = body.machines.map((machine: { score: number }) => machine.score);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => a - b),
    );
    assert.ok(body.machines[0].hostname.startsWith('desk-'));
    assert.ok(body.machines[0].pulledDownBy.length > 0);
  });

  it("gives a machine's days with exact counts", async () => {
    const machine = site.machines[1]!.id;
    const { body } = await get(`/api/v1/dashboard/machines/${machine}/history?days=30`);
    assert.deepEqual(
      body.days.map((day: { day: string }) => day.day),
      ['2026-06-01', '2026-06-02', '2026-06-03', '2026-06-04'],
    );
    const [exact] = await hub.context.store.query<{ max: number; mean: number }>(
      `SELECT max(cpu_percent)::float8 AS max, avg(cpu_percent::float8) AS mean
       FROM machine_samples WHERE machine_id = $1 AND sampled_at >= '2026-06-02'
         AND sampled_at < '2026-06-03'`,
      [machine],
    );
    const cpu = body.days[1].metrics.cpu_percent;
    assert.equal(cpu.count, 24);
    assert.equal(cpu.max, exact!.max);
    assert.ok(Math.abs(cpu.mean - exact!.mean) < 1e-9);
    assert.equal(typeof body.days[1].score, 'number');
    const missing = await get(
      '/api/v1/dashboard/machines/00000000-0000-4000-8000-000000000000/history',
    );
    assert.equal(missing.status, 404);
  });

  it("lists a user's logons, newest first", async () => {
    const [user] = await hub.context.store.query<{ id: string }>(
      'SELECT id FROM users WHERE account = $1',
      [site.accounts[0]!],
    );
    const { body } = await get(`/api/v1/dashboard/users/${user!.id}/logons?limit=5`);
    assert.equal(body.account, site.accounts[0]);
    assert.equal(body.logons.length, 5);
    assert.equal(body.logons[0].at, '2026-06-04T23:29:00.000Z');
    assert.equal(body.days.length, 4);
    assert.equal(body.days[0].count, 24);
  });

  it('ranks applications by CPU and gives handshake times per group', async () => {
    const { body } = await get('/api/v1/dashboard/top-applications?days=7');
    const [exact] = await hub.context.store.query<{ name: string; total: number }>(
      `SELECT name, sum(cpu_percent::float8) AS total FROM process_samples
       GROUP BY name ORDER BY total DESC LIMIT 1`,
    );
    assert.equal(body.applications.length, 2);
    assert.equal(body.applications[0].application, exact!.name);
    assert.ok(Math.abs(body.applications[0].cpuPercentSum - exact!.total) < 1e-6);
    const latency = await get('/api/v1/dashboard/network-latency');
    // floor-1 lists two machines; the rule of by-name takes the other two.
    const groups = latency.body.groups as Array<{ name: string; flows: number }>;
    assert.deepEqual(groups.map((group) => group.name).sort(), ['by-name', 'floor-1']);
    assert.ok(groups.every((group) => group.flows === 2 * 4 * 24)); // two machines, four days
  });

  it('lets an administrator set the time zone, refusing unknown names', async () => {
    const put = (timeZone: string) =>
      fetch(`${hub.url}/api/v1/settings/time-zone`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ timeZone }),
      });
    assert.deepEqual((await get('/api/v1/settings/time-zone', admin)).body, { timeZone: 'UTC' });
    const refused = await put('Mars/Olympus_Mons');
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as { code: string }).code, 'invalid_time_zone');
    assert.equal((await put('Europe/Berlin')).status, 200);
    assert.deepEqual((await get('/api/v1/settings/time-zone', admin)).body, {
      timeZone: 'Europe/Berlin',
    });
    const logged = await hub.context.store.query<{ subject: string }>(
      "SELECT subject FROM change_log WHERE action = 'settings.time_zone'",
    );
    assert.deepEqual(logged, [{ subject: 'Europe/Berlin' }]);
  });
});

describe(`roll-ups among the hub's scheduled jobs (${storeKind} store)`, () => {
  let hub: TestHub;
  after(async () => {
    await hub?.cleanup();
  });

  it('builds the closed days of detail stored while the hub runs, and keeps its run', async () => {
    hub = await startTestHub({ nowMillis: () => now });
    const site = await seedSite(hub.context.store, 1);
    await seedCallbacks(
      hub.context.store,
      site,
      hourlyInstants('2026-06-03T00:00Z', '2026-06-04T00:00Z'),
    );
    const outcome = await hub.context.jobs.runJobNow('rollups');
    assert.equal(outcome.kind === 'ran' && outcome.status, 'ok', JSON.stringify(outcome));
    const days = await hub.context.store.query<{ day: string }>(
      "SELECT DISTINCT period_start::text AS day FROM rollups WHERE level = 'day'",
    );
    assert.deepEqual(days, [{ day: '2026-06-03' }]);
    const [job] = await hub.context.store.query<{ runs: number }>(
      "SELECT runs FROM scheduled_jobs WHERE name = 'rollups'",
    );
    assert.equal(Number(job!.runs), 1);
  });
});
