import type { Queryable } from '../../store/store.js';
import { thresholdsFrom, type Thresholds } from './experience-score.js';
import { builtFrom, nextPeriod, type Level } from './rollup-periods.js';
import { bucketSql } from './rollup-histogram.js';
import { machineGroups } from './machine-groups.js';
import { scoreSql } from './score-sql.js';

/** Memory for each grouping step of a day's build (PostgreSQL work_mem): 128 MB. */
const buildWorkMem = '128MB';

// Sums add as numeric: exact, so the order rows come in (which a parallel scan or a hash
// table may change) cannot change the last digit, and a rebuild gives identical rows.

/**
 * Builds roll-up rows. Each function replaces the rows of the periods it is given (delete,
 * then insert, in the caller's transaction), so building a period twice leaves the same rows.
 */

// Every value the detail gives, as (dimension, key, metric, local day, value). Parameters:
// $1, $2 the first and last instants (the real-time bounds of the local days), $3 the zone,
// $4 the local days wanted (date[]). Network latency is the TCP handshake time the network
// collectors measured. A user's or an application's CPU and memory at a callback are the sums
// over its processes then, as the agent's usage figures are.
const detailValues = `
  SELECT d.dim, d.key, m.metric, (s.sampled_at AT TIME ZONE $3)::date AS day, m.v
  FROM machine_samples s
  CROSS JOIN LATERAL (VALUES ('machine', s.machine_id::text)) AS d (dim, key)
  CROSS JOIN LATERAL (VALUES
    ('cpu_percent', s.cpu_percent::float8),
    ('memory_used_percent', 100.0 * s.memory_used_bytes / nullif(s.memory_total_bytes, 0)),
    ('disk_used_percent', 100.0 * s.disk_used_bytes / nullif(s.disk_total_bytes, 0))
  ) AS m (metric, v)
  WHERE s.sampled_at >= $1 AND s.sampled_at < $2
  UNION ALL
  SELECT 'machine', p.machine_id::text, m.metric, (p.sampled_at AT TIME ZONE $3)::date, m.v
  FROM machine_series_points p
  CROSS JOIN LATERAL (VALUES
    ('cpu_queue_per_core', p.cpu_queue_per_core::float8),
    ('disk_latency_millis', p.disk_latency_millis::float8)
  ) AS m (metric, v)
  WHERE p.sampled_at >= $1 AND p.sampled_at < $2
  UNION ALL
  SELECT u.dim, u.key, m.metric, (u.sampled_at AT TIME ZONE $3)::date, m.v
  FROM (
    SELECT sampled_at, CASE WHEN grouping(account) = 0 THEN 'user' ELSE 'application' END AS dim,
      coalesce(account, name) AS key, sum(cpu_percent)::float8 AS cpu,
      sum(memory_rss_bytes)::float8 AS rss
    FROM process_samples
    WHERE sampled_at >= $1 AND sampled_at < $2
    GROUP BY GROUPING SETS ((callback_id, sampled_at, account), (callback_id, sampled_at, name))
  ) u
  CROSS JOIN LATERAL (VALUES ('cpu_percent', u.cpu), ('memory_rss_bytes', u.rss)) AS m (metric, v)
  UNION ALL
  SELECT d.dim, d.key, 'logon_millis', (l.at AT TIME ZONE $3)::date, l.duration_millis::float8
  FROM logon_events l
  CROSS JOIN LATERAL (VALUES ('machine', l.machine_id::text), ('user', l.account)) AS d (dim, key)
  WHERE l.at >= $1 AND l.at < $2 AND l.event = 'logon'
  UNION ALL
  SELECT d.dim, d.key,
    CASE e.event WHEN 'loaded' THEN 'app_load_millis' ELSE 'not_responding' END,
    (e.at AT TIME ZONE $3)::date, coalesce(e.duration_millis, 0)::float8
  FROM application_events e
  CROSS JOIN LATERAL (VALUES
    ('machine', e.machine_id::text), ('user', e.account), ('application', e.application)
  ) AS d (dim, key)
  WHERE e.at >= $1 AND e.at < $2 AND e.event IN ('loaded', 'not_responding')
    AND (e.event = 'not_responding' OR e.duration_millis IS NOT NULL)
  UNION ALL
  SELECT d.dim, d.key, 'network_rtt_millis', (f.interval_start AT TIME ZONE $3)::date,
    f.handshake_rtt_seconds * 1000
  FROM network_flows f
  LEFT JOIN users u ON u.id = f.user_id
  CROSS JOIN LATERAL (VALUES
    ('machine', f.machine_id::text), ('user', u.account), ('application', f.application)
  ) AS d (dim, key)
  WHERE f.interval_start >= $1 AND f.interval_start < $2 AND f.handshake_rtt_seconds IS NOT NULL`;

const insertDays = `
  INSERT INTO rollups (level, period_start, dimension, key, metric, count, sum, min, max,
    buckets, bucket_counts)
  SELECT 'day', day, dim, key, metric, sum(n), sum(total)::float8, min(low), max(high),
    array_agg(bucket ORDER BY bucket), array_agg(n ORDER BY bucket)
  FROM (
    SELECT day, dim, key, metric, ${bucketSql('v')} AS bucket,
      count(*) AS n, sum(v::numeric) AS total, min(v) AS low, max(v) AS high
    FROM (${detailValues}) detail
    WHERE v IS NOT NULL AND key IS NOT NULL AND day = ANY($4::date[])
    GROUP BY 1, 2, 3, 4, 5
  ) cells
  GROUP BY day, dim, key, metric`;

/**
 * Merges rows into coarser ones: exact count, sum, min and max, and histograms added bucket
 * by bucket. `source` selects (period, dim, key, metric, count, sum, min, max, buckets,
 * bucket_counts) rows of the finer level, already carrying the coarser period and key.
 */
function mergeSql(level: Level, source: string): string {
  return `
    WITH src AS (${source}),
    totals AS (
      SELECT period, dim, key, metric, sum(count)::bigint AS n, sum(sum::numeric)::float8 AS total,
        min(min) AS low, max(max) AS high
      FROM src GROUP BY 1, 2, 3, 4
    ),
    cells AS (
      SELECT period, dim, key, metric, u.bucket, sum(u.n)::bigint AS n
      FROM src, unnest(src.buckets, src.bucket_counts) AS u (bucket, n)
      GROUP BY 1, 2, 3, 4, 5
    ),
    histograms AS (
      SELECT period, dim, key, metric, array_agg(bucket ORDER BY bucket) AS buckets,
        array_agg(n ORDER BY bucket) AS bucket_counts
      FROM cells GROUP BY 1, 2, 3, 4
    )
    INSERT INTO rollups (level, period_start, dimension, key, metric, count, sum, min, max,
      buckets, bucket_counts)
    SELECT '${level}', t.period, t.dim, t.key, t.metric, t.n, t.total, t.low, t.high,
      h.buckets, h.bucket_counts
    FROM totals t JOIN histograms h USING (period, dim, key, metric)`;
}

// A group's day is the merge of its machines' days: $2 and $3 pair machine and group ids.
const groupDays = mergeSql(
  'day',
  `SELECT r.period_start AS period, 'group' AS dim, g.group_id AS key, r.metric,
     r.count, r.sum, r.min, r.max, r.buckets, r.bucket_counts
   FROM rollups r
   JOIN unnest($2::text[], $3::text[]) AS g (machine_id, group_id) ON g.machine_id = r.key
   WHERE r.level = 'day' AND r.dimension = 'machine' AND r.period_start = ANY($1::date[])`,
);

/** Rebuilds the given local days (dates) from the detail, in the site's zone. */
export async function buildDays(
  tx: Queryable,
  days: readonly string[],
  timeZone: string,
  thresholds: Thresholds,
): Promise<number> {
  if (days.length === 0) return 0;
  const sorted = [...days].sort();
  const [bounds] = await tx.query<{ first: Date; last: Date }>(
    `SELECT ($1::date::timestamp AT TIME ZONE $3) AS first,
       (($2::date + 1)::timestamp AT TIME ZONE $3) AS last`,
    [sorted[0]!, sorted.at(-1)!, timeZone],
  );
  // The day's values are grouped in memory; the default 4 MB would spill them to disk.
  await tx.query(`SET LOCAL work_mem = '${buildWorkMem}'`);
  await clear(tx, 'day', sorted);
  await tx.query(insertDays, [bounds!.first, bounds!.last, timeZone, sorted]);
  const groups = await machineGroups(tx);
  await tx.query(groupDays, [sorted, groups.machineIds, groups.groupIds]);
  await scorePeriods(tx, 'day', sorted, thresholds, groups);
  return sorted.length;
}

/** Rebuilds periods of a week, month or year level from the level below. */
export async function buildFromBelow(
  tx: Queryable,
  level: Exclude<Level, 'day'>,
  periods: readonly string[],
  thresholds: Thresholds,
): Promise<void> {
  if (periods.length === 0) return;
  await clear(tx, level, periods);
  const below = builtFrom[level];
  const source = `
    SELECT date_trunc('${level}', r.period_start::timestamp)::date AS period, r.dimension AS dim,
      r.key, r.metric, r.count, r.sum, r.min, r.max, r.buckets, r.bucket_counts
    FROM rollups r
    WHERE r.level = '${below}' AND r.period_start >= $2::date AND r.period_start < $3::date
      AND date_trunc('${level}', r.period_start::timestamp)::date = ANY($1::date[])`;
  const sorted = [...periods].sort();
  const end = nextPeriod(level, sorted.at(-1)!);
  await tx.query(mergeSql(level, source), [sorted, sorted[0]!, end]);
  await scorePeriods(tx, level, sorted, thresholds, await machineGroups(tx));
}

/**
 * Scores the periods: with the site's thresholds (the default agent policy's) for everyone,
 * then again, with its own, for each group whose policy sets thresholds: the group's row and
 * the rows of the machines it takes (as of now, the way policies take them).
 */
async function scorePeriods(
  tx: Queryable,
  level: Level,
  periods: readonly string[],
  site: Thresholds,
  groups: { machineIds: string[]; groupIds: string[] },
): Promise<void> {
  await tx.query(scoreSql(site), [level, [...periods]]);
  const own = await tx.query<{ group_id: string; thresholds: Partial<Thresholds> }>(
    `SELECT g.id::text AS group_id, p.settings -> 'thresholds' AS thresholds
     FROM component_groups g JOIN policies p ON p.id = g.policy_id
     WHERE g.kind = 'agent' AND NOT p.is_default AND p.settings ? 'thresholds'`,
  );
  for (const { group_id: groupId, thresholds } of own) {
    const machines = groups.machineIds.filter((_, i) => groups.groupIds[i] === groupId);
    const narrowed: Array<['machine' | 'group', string[]]> = [
      ['machine', machines],
      ['group', [groupId]],
    ];
    for (const [dimension, keys] of narrowed) {
      if (keys.length === 0) continue;
      await tx.query(
        `DELETE FROM rollup_scores WHERE level = $1 AND period_start = ANY($2::date[])
           AND dimension = $3 AND key = ANY($4::text[])`,
        [level, [...periods], dimension, keys],
      );
      await tx.query(scoreSql(thresholdsFrom(thresholds), dimension), [level, [...periods], keys]);
    }
  }
}

async function clear(tx: Queryable, level: Level, periods: readonly string[]): Promise<void> {
  const args = [level, [...periods]];
  await tx.query('DELETE FROM rollups WHERE level = $1 AND period_start = ANY($2::date[])', args);
  await tx.query(
    'DELETE FROM rollup_scores WHERE level = $1 AND period_start = ANY($2::date[])',
    args,
  );
}
