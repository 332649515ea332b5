import { advisoryLocks } from '../../store/advisory-locks.js';
import type { Queryable, Store } from '../../store/store.js';
import { thresholdsFrom, type Thresholds } from './experience-score.js';
import { buildDays, buildFromBelow } from './rollup-build.js';
import { levels, nextPeriod, periodOf, type Level } from './rollup-periods.js';
import { localDate, readSiteTimeZone } from './site-time-zone.js';

/** Periods built per transaction: a week of days, or a few coarser periods. */
const daysPerTransaction = 7;
const periodsPerTransaction = 4;

/** The coarser periods a rebuilt period feeds, which must be rebuilt after it. */
const feeds: Record<Level, Level[]> = {
  day: ['week', 'month'],
  week: [],
  month: ['year'],
  year: [],
};

export interface RollupRunOptions {
  /** The time now, in epoch milliseconds. */
  now: number;
  /** The site's zone; default: the hub setting (UTC unless set). */
  timeZone?: string;
  /** Service levels for the scores; default: the default agent policy's over the defaults. */
  thresholds?: Thresholds;
}

/** What a run built, per level: the periods (local start dates) rebuilt. */
export type RollupRunResult = Record<Level, string[]> & { timeZone: string; today: string };

/**
 * Brings the roll-ups up to date. Detail stored since the last run (intake notes the hours it
 * wrote in rollup_changes) marks its local days dirty; every dirty period that has closed is
 * rebuilt, oldest first, days from the detail and coarser levels from the level below, and a
 * rebuilt period marks the periods above it dirty. So a run after downtime catches up on every
 * period missed, late rows (an agent's offline spool) rebuild the period they belong to, and a
 * second run with nothing new changes nothing. Open periods (today, this week) wait until
 * they close. Each chunk of periods is one transaction: a run cut short loses no work.
 */
export async function runRollups(
  store: Store,
  options: RollupRunOptions,
): Promise<RollupRunResult> {
  const timeZone = options.timeZone ?? (await readSiteTimeZone(store));
  const thresholds = options.thresholds ?? (await siteThresholds(store));
  const today = localDate(options.now, timeZone);
  await store.transaction((tx) => takeChanges(tx, timeZone));

  const result: RollupRunResult = { day: [], week: [], month: [], year: [], timeZone, today };
  for (const level of levels) {
    const open = periodOf(level, today);
    const dirty = await store.query<{ period: string }>(
      `SELECT period_start::text AS period FROM rollup_dirty
       WHERE level = $1 AND period_start < $2::date ORDER BY period_start`,
      [level, open],
    );
    const periods = dirty.map((row) => row.period);
    const chunk = level === 'day' ? daysPerTransaction : periodsPerTransaction;
    for (const part of chunks(level, periods, chunk)) {
      await store.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [advisoryLocks.rollups]);
        if (level === 'day') await buildDays(tx, part, timeZone, thresholds);
        else await buildFromBelow(tx, level, part, thresholds);
        await tx.query('DELETE FROM rollup_dirty WHERE level = $1 AND period_start = ANY($2)', [
          level,
          part,
        ]);
        for (const above of feeds[level]) {
          await tx.query(
            `INSERT INTO rollup_dirty (level, period_start)
             SELECT DISTINCT $1, date_trunc($1, p::timestamp)::date FROM unnest($2::date[]) p
             ON CONFLICT DO NOTHING`,
            [above, part],
          );
        }
      });
      result[level].push(...part);
    }
    await store.query(
      `INSERT INTO rollup_watermarks (level, closed_before, time_zone) VALUES ($1, $2, $3)
       ON CONFLICT (level) DO UPDATE SET closed_before = EXCLUDED.closed_before,
         time_zone = EXCLUDED.time_zone, updated_at = now()`,
      [level, open, timeZone],
    );
  }
  return result;
}

/**
 * Periods in runs of consecutive ones, at most `size` a run: a day build reads the detail
 * between its first and last day, so two days months apart are built apart.
 */
function chunks(level: Level, periods: readonly string[], size: number): string[][] {
  const runs: string[][] = [];
  for (const period of periods) {
    const run = runs.at(-1);
    if (run && run.length < size && nextPeriod(level, run.at(-1)!) === period) run.push(period);
    else runs.push([period]);
  }
  return runs;
}

/**
 * Turns the hours intake noted into dirty local days. An hour can touch two local days in a
 * zone whose offset is not whole hours, so both ends of it count.
 */
async function takeChanges(tx: Queryable, timeZone: string): Promise<void> {
  await tx.query(
    `WITH taken AS (DELETE FROM rollup_changes RETURNING hour),
     hours AS (SELECT DISTINCT hour FROM taken)
     INSERT INTO rollup_dirty (level, period_start)
     SELECT 'day', (hour AT TIME ZONE $1)::date FROM hours
     UNION
     SELECT 'day', ((hour + interval '1 hour' - interval '1 microsecond') AT TIME ZONE $1)::date
     FROM hours
     ON CONFLICT DO NOTHING`,
    [timeZone],
  );
}

/** The site's service levels: the default agent policy's thresholds over the defaults. */
export async function siteThresholds(db: Queryable): Promise<Thresholds> {
  const rows = await db.query<{ thresholds: Partial<Thresholds> | null }>(
    `SELECT settings -> 'thresholds' AS thresholds FROM policies
     WHERE kind = 'agent' AND is_default`,
  );
  return thresholdsFrom(rows[0]?.thresholds ?? undefined);
}

/** How long each level is kept, in days. */
export interface RollupRetentionSettings {
  timeZone?: string;
  keepDays?: Partial<Record<Level, number>>;
}

/** Defaults: days 400 days, weeks 3 years, months and years 10 years. */
export const defaultRollupKeepDays: Record<Level, number> = {
  day: 400,
  week: 1_095,
  month: 3_650,
  year: 3_650,
};

/**
 * Removes roll-up rows (and scores) of periods that began more than the level's keep days
 * before today, local date. Returns the roll-up rows removed per level.
 */
export async function rollupRetention(
  store: Store,
  now: number,
  settings: RollupRetentionSettings = {},
): Promise<Record<Level, number>> {
  const timeZone = settings.timeZone ?? (await readSiteTimeZone(store));
  const today = localDate(now, timeZone);
  const removed = { day: 0, week: 0, month: 0, year: 0 };
  for (const level of levels) {
    const keep = settings.keepDays?.[level] ?? defaultRollupKeepDays[level];
    if (!Number.isSafeInteger(keep) || keep < 1) {
      throw new RangeError(`roll-up keep days for ${level} must be a whole number from 1`);
    }
    const rows = await store.transaction(async (tx) => {
      const args = [level, today, keep];
      await tx.query(
        'DELETE FROM rollup_scores WHERE level = $1 AND period_start < $2::date - $3::integer',
        args,
      );
      return tx.query<{ n: number }>(
        `WITH gone AS (DELETE FROM rollups
           WHERE level = $1 AND period_start < $2::date - $3::integer RETURNING 1)
         SELECT count(*)::integer AS n FROM gone`,
        args,
      );
    });
    removed[level] = rows[0]!.n;
  }
  return removed;
}
