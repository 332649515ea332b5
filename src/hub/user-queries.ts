import type { Queryable } from '../store/store.js';
import { maxHistoryPoints, type HistoryRange } from './machine-queries.js';

/** One point of a user's history: what their processes took together, per callback. */
export interface UserHistoryPoint {
  at: string; // ISO 8601
  cpuPercent: number;
  memoryRssBytes: number;
}

/**
 * A user's CPU and memory over a range: the sum over the user's processes in each callback,
 * averaged over the callbacks in each of at most `maxHistoryPoints` equal spans. CPU is the
 * sum of per-machine percentages, so a user on two busy machines can pass 100 %.
 */
// Not yet: process_samples has no index on the account, so this reads every process sample
// in the range; on a large site it wants the per-user roll-ups or an (account, time) index.
export async function userHistory(
  db: Queryable,
  account: string,
  range: HistoryRange,
): Promise<UserHistoryPoint[]> {
  const spanSeconds = Math.max(
    1,
    Math.ceil((range.to.getTime() - range.from.getTime()) / 1000 / maxHistoryPoints),
  );
  const rows = await db.query<{ at: Date; cpu: number; memory: number }>(
    `SELECT date_bin(make_interval(secs => $4), sampled_at, $2::timestamptz) AS at,
       (sum(cpu_percent) / count(DISTINCT callback_id))::float8 AS cpu,
       (sum(memory_rss_bytes) / count(DISTINCT callback_id))::float8 AS memory
     FROM process_samples WHERE account = $1 AND sampled_at >= $2 AND sampled_at < $3
     GROUP BY 1 ORDER BY 1`,
    [account, range.from, range.to, spanSeconds],
  );
  return rows.map((row) => ({
    at: new Date(row.at).toISOString(),
    cpuPercent: row.cpu,
    memoryRssBytes: row.memory,
  }));
}
