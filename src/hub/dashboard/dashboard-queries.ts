import type { Queryable } from '../../store/store.js';
import { bandOf, experienceScore, type Band } from '../rollups/experience-score.js';
import { addDays } from '../rollups/rollup-periods.js';
import { siteThresholds } from '../rollups/rollup-run.js';
import { localDate, readSiteTimeZone } from '../rollups/site-time-zone.js';

/**
 * The dashboard's figures, each one query or a few over the store. Everything over days reads
 * the day roll-ups (closed local days of the site's zone), never the detail; the overview's
 * counts read the small inventory tables. Scores are those of the latest scored day.
 */

/** A machine, user or collector counts as reporting when heard from within a day / an hour. */
const reportingWindowMillis = 86_400_000;
const collectorWindowMillis = 3_600_000;

export interface SiteOverview {
  machines: { total: number; reporting: number };
  users: { total: number; active: number };
  collectors: { total: number; reporting: number };
  freshness: { latestCallbackAt: string | null; latestRolledUpDay: string | null };
  scores: { day: string | null } & Record<Band, number>;
}

export async function siteOverview(db: Queryable, nowMillis: number): Promise<SiteOverview> {
  const since = new Date(nowMillis - reportingWindowMillis);
  const [counts] = await db.query<{
    machines: number;
    machines_reporting: number;
    users: number;
    users_active: number;
    collectors: number;
    collectors_reporting: number;
    latest_callback: Date | null;
    latest_day: string | null;
  }>(
    `SELECT
       (SELECT count(*)::integer FROM machines) AS machines,
       (SELECT count(*)::integer FROM machines WHERE last_seen_at >= $1) AS machines_reporting,
       (SELECT count(*)::integer FROM users) AS users,
       (SELECT count(*)::integer FROM users WHERE last_seen_at >= $1) AS users_active,
       (SELECT count(*)::integer FROM collectors) AS collectors,
       (SELECT count(*)::integer FROM collectors WHERE reported_at >= $2) AS collectors_reporting,
       (SELECT max(last_seen_at) FROM machines) AS latest_callback,
       (SELECT max(period_start)::text FROM rollups WHERE level = 'day') AS latest_day`,
    [since, new Date(nowMillis - collectorWindowMillis)],
  );
  const day = await latestScoredDay(db);
  const bands = { Good: 0, Fair: 0, Poor: 0 };
  if (day) {
    const rows = await db.query<{ score: number }>(
      `SELECT score FROM rollup_scores
       WHERE level = 'day' AND dimension = 'machine' AND period_start = $1`,
      [day],
    );
    for (const row of rows) bands[bandOf(row.score)]++;
  }
  const c = counts!;
  return {
    machines: { total: c.machines, reporting: c.machines_reporting },
    users: { total: c.users, active: c.users_active },
    collectors: { total: c.collectors, reporting: c.collectors_reporting },
    freshness: {
      latestCallbackAt: c.latest_callback ? new Date(c.latest_callback).toISOString() : null,
      latestRolledUpDay: c.latest_day,
    },
    scores: { day, ...bands },
  };
}

async function latestScoredDay(db: Queryable): Promise<string | null> {
  const [row] = await db.query<{ day: string | null }>(
    `SELECT max(period_start)::text AS day FROM rollup_scores
     WHERE level = 'day' AND dimension = 'machine'`,
  );
  return row?.day ?? null;
}

export interface RankedMachine {
  machineId: string;
  hostname: string;
  score: number;
  band: Band;
  pulledDownBy: string[];
  inputs: Record<string, number>;
}

/** The machines with the lowest experience score on the latest scored day, worst first. */
export async function worstMachines(
  db: Queryable,
  limit = 50,
): Promise<{ day: string | null; machines: RankedMachine[] }> {
  const day = await latestScoredDay(db);
  if (!day) return { day, machines: [] };
  const thresholds = await siteThresholds(db);
  const rows = await db.query<{
    key: string;
    hostname: string | null;
    score: number;
    inputs: Record<string, number>;
  }>(
    `SELECT s.key, m.hostname, s.score, s.inputs FROM rollup_scores s
     LEFT JOIN machines m ON m.id::text = s.key
     WHERE s.level = 'day' AND s.dimension = 'machine' AND s.period_start = $1
     ORDER BY s.score, s.key LIMIT $2`,
    [day, limit],
  );
  return {
    day,
    machines: rows.map((row) => ({
      machineId: row.key,
      hostname: row.hostname ?? '',
      score: row.score,
      band: bandOf(row.score),
      pulledDownBy: experienceScore('machine', row.inputs, thresholds)?.pulledDownBy ?? [],
      inputs: row.inputs,
    })),
  };
}

export interface DayFigures {
  count: number;
  min: number;
  mean: number;
  max: number;
  p95: number;
}

export interface MachineHistory {
  machineId: string;
  timeZone: string;
  days: Array<{ day: string; score: number | null; metrics: Record<string, DayFigures> }>;
}

/** One machine's closed days over the last `days` (default 30): figures per metric, score. */
export async function machineHistory(
  db: Queryable,
  machineId: string,
  nowMillis: number,
  days = 30,
): Promise<MachineHistory> {
  const timeZone = await readSiteTimeZone(db);
  const since = addDays(localDate(nowMillis, timeZone), -days);
  const rows = await db.query<DayFigures & { day: string; metric: string }>(
    `SELECT period_start::text AS day, metric, count::integer AS count, min, sum / count AS mean,
       max, rollup_quantile(buckets, bucket_counts, 0.95) AS p95
     FROM rollups
     WHERE dimension = 'machine' AND key = $1 AND level = 'day' AND period_start >= $2
     ORDER BY period_start, metric`,
    [machineId, since],
  );
  const scores = await db.query<{ day: string; score: number }>(
    `SELECT period_start::text AS day, score FROM rollup_scores
     WHERE level = 'day' AND dimension = 'machine' AND key = $1 AND period_start >= $2`,
    [machineId, since],
  );
  const byDay = new Map<string, MachineHistory['days'][number]>();
  for (const { day, metric, ...figures } of rows) {
    if (!byDay.has(day)) byDay.set(day, { day, score: null, metrics: {} });
    byDay.get(day)!.metrics[metric] = figures;
  }
  for (const { day, score } of scores) {
    if (byDay.has(day)) byDay.get(day)!.score = score;
  }
  return { machineId, timeZone, days: [...byDay.values()] };
}

export interface UserLogons {
  userId: string;
  account: string;
  logons: Array<{ at: string; machineId: string; hostname: string; durationMillis: number | null }>;
  days: Array<{ day: string } & DayFigures>;
}

/** One user's latest logons (newest first, at most `limit`) and logon times per day. */
export async function userLogons(
  db: Queryable,
  userId: string,
  nowMillis: number,
  days = 30,
  limit = 200,
): Promise<UserLogons | null> {
  const [user] = await db.query<{ account: string }>('SELECT account FROM users WHERE id = $1', [
    userId,
  ]);
  if (!user) return null;
  const from = new Date(nowMillis - days * 86_400_000);
  const logons = await db.query<{
    at: Date;
    machine_id: string;
    hostname: string | null;
    duration_millis: number | null;
  }>(
    `SELECT l.at, l.machine_id, m.hostname, l.duration_millis FROM logon_events l
     LEFT JOIN machines m ON m.id = l.machine_id
     WHERE l.account = $1 AND l.at >= $2 AND l.event = 'logon'
     ORDER BY l.at DESC LIMIT $3`,
    [user.account, from, limit],
  );
  const timeZone = await readSiteTimeZone(db);
  const perDay = await db.query<{ day: string } & DayFigures>(
    `SELECT period_start::text AS day, count::integer AS count, min, sum / count AS mean, max,
       rollup_quantile(buckets, bucket_counts, 0.95) AS p95
     FROM rollups WHERE dimension = 'user' AND key = $1 AND level = 'day'
       AND metric = 'logon_millis' AND period_start >= $2 ORDER BY period_start`,
    [user.account, addDays(localDate(nowMillis, timeZone), -days)],
  );
  return {
    userId,
    account: user.account,
    logons: logons.map((row) => ({
      at: new Date(row.at).toISOString(),
      machineId: row.machine_id,
      hostname: row.hostname ?? '',
      durationMillis: row.duration_millis,
    })),
    days: perDay,
  };
}

export interface ApplicationUse {
  application: string;
  /** The sum of the CPU percent of every process sample: a measure of CPU time used. */
  cpuPercentSum: number;
  processSamples: number;
  meanCpuPercent: number;
  maxCpuPercent: number;
}

/** Applications by CPU used over the last `days` closed days (default 7), most first. */
export async function topApplications(
  db: Queryable,
  nowMillis: number,
  days = 7,
  limit = 20,
): Promise<ApplicationUse[]> {
  const timeZone = await readSiteTimeZone(db);
  const rows = await db.query<{
    key: string;
    total: number;
    samples: number;
    high: number;
  }>(
    `SELECT key, sum(sum) AS total, sum(count)::float8 AS samples, max(max) AS high
     FROM rollups
     WHERE level = 'day' AND dimension = 'application' AND metric = 'cpu_percent'
       AND period_start >= $1
     GROUP BY key ORDER BY total DESC, key LIMIT $2`,
    [addDays(localDate(nowMillis, timeZone), -days), limit],
  );
  return rows.map((row) => ({
    application: row.key,
    cpuPercentSum: row.total,
    processSamples: row.samples,
    meanCpuPercent: row.samples > 0 ? row.total / row.samples : 0,
    maxCpuPercent: row.high,
  }));
}

export interface GroupLatency {
  groupId: string;
  name: string;
  flows: number;
  meanMillis: number;
  p95Millis: number;
  maxMillis: number;
}

/**
 * TCP handshake times the network collectors measured, per group of machines, over the last
 * `days` closed days (default 7): the day histograms merged, so p95 is within 2%.
 */
export async function networkLatencyByGroup(
  db: Queryable,
  nowMillis: number,
  days = 7,
): Promise<GroupLatency[]> {
  const timeZone = await readSiteTimeZone(db);
  const rows = await db.query<{
    key: string;
    name: string | null;
    n: number;
    mean: number;
    p95: number;
    high: number;
  }>(
    `WITH src AS (
       SELECT key, count, sum, max, buckets, bucket_counts FROM rollups
       WHERE level = 'day' AND dimension = 'group' AND metric = 'network_rtt_millis'
         AND period_start >= $1
     ),
     cells AS (
       SELECT key, u.b, sum(u.c)::bigint AS c FROM src, unnest(buckets, bucket_counts) AS u (b, c)
       GROUP BY key, u.b
     ),
     merged AS (
       SELECT key, rollup_quantile(array_agg(b ORDER BY b), array_agg(c ORDER BY b), 0.95) AS p95
       FROM cells GROUP BY key
     )
     SELECT s.key, g.name, sum(s.count)::float8 AS n, sum(s.sum) / sum(s.count) AS mean,
       max(s.max) AS high, m.p95
     FROM src s JOIN merged m USING (key) LEFT JOIN component_groups g ON g.id::text = s.key
     GROUP BY s.key, g.name, m.p95 ORDER BY m.p95 DESC, s.key`,
    [addDays(localDate(nowMillis, timeZone), -days)],
  );
  return rows.map((row) => ({
    groupId: row.key,
    name: row.name ?? '',
    flows: row.n,
    meanMillis: row.mean,
    p95Millis: row.p95,
    maxMillis: row.high,
  }));
}
