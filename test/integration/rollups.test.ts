import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  defaultThresholds,
  experienceScore,
  thresholdsFrom,
  type ScoredDimension,
} from '../../src/hub/rollups/experience-score.js';
import { relativeAccuracy, smallestTracked } from '../../src/hub/rollups/rollup-histogram.js';
import { rollupRetention, runRollups } from '../../src/hub/rollups/rollup-run.js';
import { storeCallbacks } from '../../src/intake/store-callbacks.js';
import type { Queryable } from '../../src/store/store.js';
import { realisticCallback } from '../support/realistic-callback.js';
import {
  hourlyInstants,
  seedCallbacks,
  seedSite,
  type SeededSite,
} from '../support/rollup-seed.js';
import {
  addTestComponent,
  createTestStore,
  storeKind,
  type TestStore,
} from '../support/test-store.js';

const timeZone = 'Europe/Berlin';
// Late enough that every period of 2026, the year included, has closed.
const afterEverything = Date.parse('2027-01-05T12:00:00Z');

// What each roll-up metric is, read straight from the detail: (key, instant, value).
const direct: Record<string, { dimension: string; metric: string; sql: string }> = {
  machineCpu: {
    dimension: 'machine',
    metric: 'cpu_percent',
    sql: `SELECT machine_id::text AS key, sampled_at AS t, cpu_percent::float8 AS v
          FROM machine_samples`,
  },
  groupCpu: {
    dimension: 'group',
    metric: 'cpu_percent',
    // Listed members in floor-1; every other machine (named desk-*) by the rule of by-name.
    sql: `SELECT coalesce(g.group_id, r.id)::text AS key, s.sampled_at AS t,
            s.cpu_percent::float8 AS v
          FROM machine_samples s JOIN machines m ON m.id = s.machine_id
          LEFT JOIN component_group_members g ON g.component_id = m.agent_id
          JOIN component_groups r ON r.name = 'by-name'`,
  },
  applicationCpu: {
    dimension: 'application',
    metric: 'cpu_percent',
    sql: `SELECT name AS key, sampled_at AS t, sum(cpu_percent)::float8 AS v FROM process_samples
          GROUP BY callback_id, sampled_at, name`,
  },
  userMemory: {
    dimension: 'user',
    metric: 'memory_rss_bytes',
    sql: `SELECT account AS key, sampled_at AS t, sum(memory_rss_bytes)::float8 AS v
          FROM process_samples GROUP BY callback_id, sampled_at, account`,
  },
  userLogon: {
    dimension: 'user',
    metric: 'logon_millis',
    sql: `SELECT account AS key, at AS t, duration_millis::float8 AS v FROM logon_events
          WHERE event = 'logon'`,
  },
  applicationLoad: {
    dimension: 'application',
    metric: 'app_load_millis',
    sql: `SELECT application AS key, at AS t, duration_millis::float8 AS v
          FROM application_events WHERE event = 'loaded'`,
  },
  machineNetwork: {
    dimension: 'machine',
    metric: 'network_rtt_millis',
    sql: `SELECT machine_id::text AS key, interval_start AS t, handshake_rtt_seconds * 1000 AS v
          FROM network_flows`,
  },
  machineQueue: {
    dimension: 'machine',
    metric: 'cpu_queue_per_core',
    sql: `SELECT machine_id::text AS key, sampled_at AS t, cpu_queue_per_core::float8 AS v
          FROM machine_series_points`,
  },
};

interface Figures {
  period: string;
  key: string;
  count: number;
  sum: number;
  min: number;
  max: number;
  p95: number;
}

async function fromDetail(db: Queryable, level: string, sql: string): Promise<Figures[]> {
  return db.query<Figures>(
    `SELECT date_trunc($1, (t AT TIME ZONE $2))::date::text AS period, key,
       count(*)::integer AS count, sum(v) AS sum, min(v) AS min, max(v) AS max,
       percentile_disc(0.95) WITHIN GROUP (ORDER BY v) AS p95
     FROM (${sql}) detail GROUP BY 1, 2 ORDER BY 1, 2`,
    [level, timeZone],
  );
}

async function fromRollups(
  db: Queryable,
  level: string,
  dimension: string,
  metric: string,
): Promise<Figures[]> {
  return db.query<Figures>(
    `SELECT period_start::text AS period, key, count::integer AS count, sum, min, max,
       rollup_quantile(buckets, bucket_counts, 0.95) AS p95
     FROM rollups WHERE level = $1 AND dimension = $2 AND metric = $3 ORDER BY 1, 2`,
    [level, dimension, metric],
  );
}

function assertMatches(rolled: Figures[], exact: Figures[], what: string): void {
  assert.deepEqual(
    rolled.map((row) => `${row.period} ${row.key}`),
    exact.map((row) => `${row.period} ${row.key}`),
    `${what}: the same periods and keys`,
  );
  rolled.forEach((row, i) => {
    const want = exact[i]!;
    const at = `${what} ${row.period} ${row.key}`;
    assert.equal(row.count, want.count, `${at}: count`);
    assert.equal(row.min, want.min, `${at}: min`);
    assert.equal(row.max, want.max, `${at}: max`);
    assert.ok(Math.abs(row.sum - want.sum) <= 1e-9 * Math.abs(want.sum), `${at}: sum`);
    const bound = Math.max(relativeAccuracy * want.p95, smallestTracked) + 1e-9;
    assert.ok(Math.abs(row.p95 - want.p95) <= bound, `${at}: p95 ${row.p95} vs ${want.p95}`);
  });
}

const snapshot = async (db: Queryable) => ({
  rollups: await db.query(
    'SELECT * FROM rollups ORDER BY level, dimension, metric, period_start, key',
  ),
  scores: await db.query(
    'SELECT * FROM rollup_scores ORDER BY level, dimension, period_start, key',
  ),
});

describe(`roll-ups (${storeKind} store)`, () => {
  let test: TestStore;
  let site: SeededSite;

  before(async () => {
    test = await createTestStore();
    site = await seedSite(test.store, 3);
    // A week around the spring change (Berlin, 29 March: 23 hours) and two days around the
    // autumn one (25 October: 25 hours).
    await seedCallbacks(test.store, site, hourlyInstants('2026-03-27T00:00Z', '2026-04-01T00:00Z'));
    await seedCallbacks(
      test.store,
      site,
      hourlyInstants('2026-10-24T12:00Z', '2026-10-26T12:00Z'),
      2,
    );
  });
  after(async () => {
    await test?.cleanup();
  });

  it('builds every level to match a direct aggregate of the detail', async () => {
    const result = await runRollups(test.store, { now: afterEverything, timeZone });
    assert.ok(result.day.includes('2026-03-29') && result.day.includes('2026-10-25'));
    assert.deepEqual(result.year, ['2026-01-01']);
    for (const level of ['day', 'week', 'month', 'year']) {
      for (const [name, source] of Object.entries(direct)) {
        const rolled = await fromRollups(test.store, level, source.dimension, source.metric);
        assert.ok(rolled.length > 0, `${level} ${name} has rows`);
        assertMatches(rolled, await fromDetail(test.store, level, source.sql), `${level} ${name}`);
      }
    }
  });

  it('gives the 23-hour and 25-hour days of daylight saving exactly their hours', async () => {
    const machine = site.machines[0]!.id;
    const dayOf = async (day: string, from: string, to: string) => {
      const [rolled] = await test.store.query<{ count: number; sum: number }>(
        `SELECT count::integer AS count, sum FROM rollups WHERE level = 'day'
           AND dimension = 'machine' AND metric = 'cpu_percent' AND key = $1 AND period_start = $2`,
        [machine, day],
      );
      const [exact] = await test.store.query<{ count: number; sum: number }>(
        `SELECT count(*)::integer AS count, sum(cpu_percent::float8) AS sum FROM machine_samples
         WHERE machine_id = $1 AND sampled_at >= $2 AND sampled_at < $3`,
        [machine, from, to],
      );
      return { rolled, exact };
    };
    // Berlin: 29 March runs from 23:00 UTC the day before to 22:00 UTC; 25 October from 22:00
    // UTC to 23:00 UTC. One sample an hour per machine.
    const spring = await dayOf('2026-03-29', '2026-03-28T23:00Z', '2026-03-29T22:00Z');
    assert.equal(spring.exact!.count, 23);
    assert.equal(spring.rolled!.count, 23);
    assert.ok(Math.abs(spring.rolled!.sum - spring.exact!.sum) < 1e-9);
    const autumn = await dayOf('2026-10-25', '2026-10-24T22:00Z', '2026-10-25T23:00Z');
    assert.equal(autumn.exact!.count, 25);
    assert.equal(autumn.rolled!.count, 25);
    assert.ok(Math.abs(autumn.rolled!.sum - autumn.exact!.sum) < 1e-9);
  });

  it('scores in SQL exactly as the score function does', async () => {
    const rows = await test.store.query<{
      dimension: ScoredDimension;
      score: number;
      inputs: Record<string, number>;
    }>("SELECT dimension, score, inputs FROM rollup_scores WHERE level IN ('day', 'month')");
    assert.ok(rows.some((row) => row.dimension === 'machine'));
    assert.ok(rows.some((row) => row.dimension === 'application'));
    for (const row of rows) {
      const computed = experienceScore(row.dimension, row.inputs);
      assert.ok(Math.abs(computed!.score - row.score) < 1e-9, `${row.score} vs ${computed!.score}`);
    }
  });

  it('changes nothing when run again, or when every period is rebuilt', async () => {
    const before = await snapshot(test.store);
    const again = await runRollups(test.store, { now: afterEverything, timeZone });
    assert.deepEqual([again.day, again.week, again.month, again.year], [[], [], [], []]);
    await test.store.query(
      `INSERT INTO rollup_dirty (level, period_start)
       SELECT DISTINCT level, period_start FROM rollups ON CONFLICT DO NOTHING`,
    );
    const rebuilt = await runRollups(test.store, { now: afterEverything, timeZone });
    assert.ok(rebuilt.day.length >= 7);
    const after = await snapshot(test.store);
    const differs = (a: unknown[], b: unknown[]) =>
      a.map((row, i) => [row, b[i]]).filter(([x, y]) => JSON.stringify(x) !== JSON.stringify(y));
    assert.deepEqual(differs(after.rollups, before.rollups).slice(0, 3), []);
    assert.deepEqual(differs(after.scores, before.scores).slice(0, 3), []);
    assert.deepEqual(after, before);
  });

  it('rebuilds a closed period, and the periods above it, when late rows arrive', async () => {
    const [old] = await fromRollups(test.store, 'month', 'machine', 'cpu_percent');
    await seedCallbacks(test.store, site, [new Date('2026-03-28T10:15:00Z')], 3);
    const result = await runRollups(test.store, { now: afterEverything, timeZone });
    assert.deepEqual(result.day, ['2026-03-28']);
    assert.deepEqual(result.week, ['2026-03-23']);
    assert.deepEqual(result.month, ['2026-03-01']);
    assert.deepEqual(result.year, ['2026-01-01']);
    const [now] = await fromRollups(test.store, 'month', 'machine', 'cpu_percent');
    assert.equal(now!.count, old!.count + 1);
    for (const level of ['day', 'week', 'month', 'year']) {
      const source = direct.machineCpu!;
      const rolled = await fromRollups(test.store, level, source.dimension, source.metric);
      assertMatches(rolled, await fromDetail(test.store, level, source.sql), `late ${level}`);
    }
  });

  it('removes periods older than each level keeps', async () => {
    const removed = await rollupRetention(test.store, Date.parse('2026-10-30T12:00Z'), {
      timeZone,
      keepDays: { day: 30 },
    });
    assert.ok(removed.day > 0);
    assert.deepEqual([removed.week, removed.month, removed.year], [0, 0, 0]);
    const days = await test.store.query<{ period: string }>(
      "SELECT DISTINCT period_start::text AS period FROM rollups WHERE level = 'day' ORDER BY 1",
    );
    assert.deepEqual(
      days.map((row) => row.period),
      ['2026-10-24', '2026-10-25', '2026-10-26'],
    );
  });
});

describe(`roll-up catch-up (${storeKind} store)`, () => {
  let test: TestStore;
  after(async () => {
    await test?.cleanup();
  });

  it('builds every period missed while the hub was down, and only closed ones', async () => {
    test = await createTestStore();
    const site = await seedSite(test.store, 1);
    await seedCallbacks(test.store, site, hourlyInstants('2026-06-01T00:00Z', '2026-06-03T00:00Z'));
    const first = await runRollups(test.store, { now: Date.parse('2026-06-02T12:00Z') });
    assert.deepEqual(first.day, ['2026-06-01']); // 2 June is still open
    // Down for ten days while agents kept sending.
    await seedCallbacks(test.store, site, hourlyInstants('2026-06-03T00:00Z', '2026-06-12T00:00Z'));
    const caught = await runRollups(test.store, { now: Date.parse('2026-06-12T06:00Z') });
    assert.deepEqual(caught.day, [
      ...['2026-06-02', '2026-06-03', '2026-06-04', '2026-06-05', '2026-06-06', '2026-06-07'],
      ...['2026-06-08', '2026-06-09', '2026-06-10', '2026-06-11'],
    ]);
    assert.deepEqual(caught.week, ['2026-06-01']); // Monday 1 June; 8 June is open
    const counts = await test.store.query<{ period: string; count: number }>(
      `SELECT period_start::text AS period, count::integer AS count FROM rollups
       WHERE level = 'day' AND dimension = 'machine' AND metric = 'cpu_percent' ORDER BY 1`,
    );
    assert.equal(counts.length, 11);
    assert.ok(counts.every((row) => row.count === 24));
    const [week] = await fromRollups(test.store, 'week', 'machine', 'cpu_percent');
    assert.equal(week!.count, 7 * 24);
    const marks = await test.store.query<{ level: string; closed_before: string }>(
      'SELECT level, closed_before::text AS closed_before FROM rollup_watermarks ORDER BY level',
    );
    assert.deepEqual(marks.find((mark) => mark.level === 'day')?.closed_before, '2026-06-12');
  });
});

describe(`roll-ups of callbacks stored by intake (${storeKind} store)`, () => {
  let test: TestStore;
  after(async () => {
    await test?.cleanup();
  });

  it('rolls up a spooled callback that arrives days after the day it was sampled', async () => {
    test = await createTestStore();
    const agentId = await addTestComponent(test.store, 'agent');
    const sampled = (at: string) => ({
      agentId,
      callback: realisticCallback('desk-x', new Date(at)),
    });
    await storeCallbacks(test.store, [sampled('2026-07-01T10:00Z'), sampled('2026-07-01T11:00Z')]);
    const first = await runRollups(test.store, { now: Date.parse('2026-07-02T08:00Z') });
    assert.deepEqual(first.day, ['2026-07-01']);
    // Ten days later the agent's offline spool delivers a callback sampled on 1 July.
    await storeCallbacks(test.store, [sampled('2026-07-01T15:00Z')]);
    const late = await runRollups(test.store, { now: Date.parse('2026-07-11T08:00Z') });
    assert.deepEqual(late.day, ['2026-07-01']);
    assert.deepEqual(late.week, ['2026-06-29']);
    const [day] = await test.store.query<{ count: number }>(
      `SELECT count::integer AS count FROM rollups WHERE level = 'day' AND dimension = 'machine'
         AND metric = 'cpu_percent' AND period_start = '2026-07-01'`,
    );
    assert.equal(day!.count, 3);
    // One value per application per callback: its processes' CPU added up.
    const [apps] = await test.store.query<{ n: number }>(
      `SELECT sum(count)::integer AS n FROM rollups WHERE level = 'day'
         AND dimension = 'application' AND metric = 'cpu_percent'`,
    );
    const [processes] = await test.store.query<{ n: number }>(
      'SELECT count(DISTINCT (callback_id, name))::integer AS n FROM process_samples',
    );
    assert.equal(apps!.n, processes!.n);
  });

  it("puts a machine in the group whose subnet rule holds the machine's address", async () => {
    const policyId = randomUUID();
    await test.store.query(
      `INSERT INTO policies (id, name, kind, settings) VALUES ($1, 'p', 'agent', '{}')`,
      [policyId],
    );
    const [subnet] = await test.store.query<{ id: string }>(
      `INSERT INTO component_groups (id, name, kind, policy_id, rule)
       VALUES ($1, 'office-10-1', 'agent', $2, '{"subnet": "10.1.0.0/16"}') RETURNING id`,
      [randomUUID(), policyId],
    );
    await test.store.query(
      `INSERT INTO component_groups (id, name, kind, policy_id, rule)
       VALUES ($1, 'office-10-9', 'agent', $2, '{"subnet": "10.9.0.0/16"}')`,
      [randomUUID(), policyId],
    );
    await test.store.query(
      "INSERT INTO rollup_dirty (level, period_start) VALUES ('day', '2026-07-01')",
    );
    await runRollups(test.store, { now: Date.parse('2026-07-11T08:00Z') });
    const groups = await test.store.query<{ key: string; count: number }>(
      `SELECT key, count::integer AS count FROM rollups WHERE level = 'day'
         AND dimension = 'group' AND metric = 'cpu_percent'`,
    );
    assert.deepEqual(groups, [{ key: subnet!.id, count: 3 }]);
  });

  it("scores the machines a group takes, and the group, with its policy's thresholds", async () => {
    const strict = { memoryUsedPercent: 1, cpuQueuePerCore: 0.01, diskLatencyMillis: 0.01 };
    await test.store.query("UPDATE policies SET settings = $1 WHERE name = 'p'", [
      JSON.stringify({ thresholds: strict }),
    ]);
    await test.store.query(
      "INSERT INTO rollup_dirty (level, period_start) VALUES ('day', '2026-07-01')",
    );
    await runRollups(test.store, { now: Date.parse('2026-07-11T08:00Z') });
    const [group] = await test.store.query<{ id: string }>(
      "SELECT id::text AS id FROM component_groups WHERE name = 'office-10-1'",
    );
    const [grouped] = await test.store.query<{ keys: string[] }>(
      `SELECT array_agg(DISTINCT key) AS keys FROM rollups WHERE level = 'day'
         AND period_start = '2026-07-01' AND dimension = 'machine'
         AND key IN (SELECT m.id::text FROM machines m
           WHERE m.latest_sample::text LIKE '%10.1.%')`,
    );
    const scores = await test.store.query<{
      dimension: ScoredDimension;
      key: string;
      score: number;
      inputs: Record<string, number>;
    }>(
      `SELECT dimension, key, score, inputs FROM rollup_scores
       WHERE level = 'day' AND period_start = '2026-07-01' AND dimension IN ('machine', 'group')`,
    );
    const inGroup = new Set([...(grouped!.keys ?? []), group!.id]);
    assert.ok(inGroup.size > 1, 'the group takes a machine');
    let own = 0;
    for (const row of scores) {
      const thresholds = inGroup.has(row.key) ? thresholdsFrom(strict) : defaultThresholds;
      const expected = experienceScore(row.dimension, row.inputs, thresholds)!.score;
      assert.ok(Math.abs(expected - row.score) < 1e-9, `${row.key}: ${row.score} vs ${expected}`);
      if (!inGroup.has(row.key)) continue;
      own++;
      const bySite = experienceScore(row.dimension, row.inputs, defaultThresholds)!.score;
      assert.ok(row.score < bySite, `${row.key}: stricter thresholds, a lower score`);
    }
    assert.ok(own >= 2, `${own} scored by the group's policy`);
  });
});
