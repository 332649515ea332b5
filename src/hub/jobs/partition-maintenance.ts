import {
  daysInDefault,
  ensureDayPartition,
  listDayPartitions,
  rowsInDefault,
} from '../../store/day-partitions.js';
import {
  addDays,
  dayMillis,
  dayOf,
  partitionName,
  timeSeriesTables,
  type Day,
} from '../../store/time-series.js';
import { readRetentionSettings } from '../retention/retention-settings.js';
import type { ScheduledJob } from './job-runner.js';

/** Days of partitions made ahead of today (UTC): 7. */
export const defaultDaysAhead = 7;
/** How often partitions are looked after: hourly. */
export const partitionMaintenanceIntervalMillis = 3_600_000;
/** Rows counted per DEFAULT partition in a run's result, at most (a bound on the work). */
const waitingCountLimit = 1_000_000;

/**
 * The partition maintainer: for every time series, makes the partitions of today and the next
 * `daysAhead` days (UTC), and moves rows waiting in the DEFAULT partition into partitions of
 * their own days, making those as needed. Rows older than retention keeps are left for
 * retention to delete; rows dated past the days made ahead (a clock far off) wait in the
 * DEFAULT partition until their day comes near. Running it again changes nothing.
 */
export function partitionMaintenanceJob(daysAhead = defaultDaysAhead): ScheduledJob {
  return {
    name: 'partition-maintenance',
    intervalMillis: partitionMaintenanceIntervalMillis,
    async run({ store, nowMillis }) {
      const now = nowMillis();
      const today = dayOf(now);
      const lastAhead = addDays(today, daysAhead);
      const { detailDays } = await readRetentionSettings(store);
      const firstKept = dayOf(now - detailDays * dayMillis);
      const existing = new Set((await listDayPartitions(store)).map((p) => p.name));

      let created = 0;
      let movedRows = 0;
      const waiting: Record<string, number> = {};
      for (const series of timeSeriesTables) {
        const ahead = Array.from({ length: daysAhead + 1 }, (_, i) => addDays(today, i));
        const stray = (await daysInDefault(store, series)).filter(
          (day) => day >= firstKept && day <= lastAhead,
        );
        for (const day of [...new Set<Day>([...stray, ...ahead])].sort()) {
          if (existing.has(partitionName(series.table, day))) continue;
          const ensured = await ensureDayPartition(store, series, day);
          if (ensured.created) created += 1;
          movedRows += ensured.movedRows;
        }
        const left = await rowsInDefault(store, series, waitingCountLimit);
        if (left > 0) waiting[series.table] = left;
      }
      return { created, movedRows, waitingInDefault: waiting, through: lastAhead };
    },
  };
}
