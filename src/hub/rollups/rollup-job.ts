/**
 * Roll-ups on the hub's scheduled jobs: built every hour, once per hour across the hubs on a
 * store, catching up on the next run after a failure (dirty periods stay marked). Their
 * retention runs with the hub's retention job, by level, never for the storage ceiling.
 */
import type { ScheduledJob } from '../jobs/job-runner.js';
import type { RetentionRule } from '../retention/retention-rules.js';
import { rollupRetention, runRollups } from './rollup-run.js';

/** How often roll-ups run: every hour. */
export const rollupIntervalMillis = 3_600_000;

export function rollupJob(): ScheduledJob {
  return {
    name: 'rollups',
    intervalMillis: rollupIntervalMillis,
    async run({ store, nowMillis }) {
      const built = await runRollups(store, { now: nowMillis() });
      return Object.fromEntries(
        Object.entries(built).map(([key, value]) => [
          key,
          Array.isArray(value) ? value.length : value,
        ]),
      );
    },
  };
}

/** Roll-up rows older than each level keeps (days 400, weeks 3 years, months and years 10). */
export function rollupRetentionRule(): RetentionRule {
  return {
    name: 'rollups',
    async run(store, { nowMillis }) {
      const removed = await rollupRetention(store, nowMillis);
      const rows = Object.values(removed).reduce((sum, count) => sum + count, 0);
      return {
        rule: 'rollups',
        tables: rows > 0 ? ['rollups', 'rollup_scores'] : [],
        days: [],
        rowsEstimate: rows,
        bytes: 0,
        ...(rows > 0
          ? { notes: [`roll-up rows removed by level: ${JSON.stringify(removed)}`] }
          : {}),
      };
    },
  };
}
