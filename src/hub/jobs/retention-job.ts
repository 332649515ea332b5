import { recordChange } from '../change-log.js';
import type { RetentionRemoval, RetentionRule } from '../retention/retention-rules.js';
import { readRetentionSettings } from '../retention/retention-settings.js';
import type { ScheduledJob } from './job-runner.js';

/** How often retention runs: hourly, so a ceiling is met within the hour it is passed. */
export const retentionIntervalMillis = 3_600_000;

/**
 * Retention: runs every registered rule (detail first, then whatever other modules added,
 * such as roll-ups) and writes one change log entry for the run saying what each removed.
 * A rule that fails does not stop the others; the run then ends failed, after the entry.
 */
export function retentionJob(rules: () => readonly RetentionRule[]): ScheduledJob {
  return {
    name: 'retention',
    intervalMillis: retentionIntervalMillis,
    async run({ store, nowMillis, log }) {
      const settings = await readRetentionSettings(store);
      const removals: RetentionRemoval[] = [];
      const failures: Array<{ rule: string; error: string }> = [];
      for (const rule of rules()) {
        try {
          removals.push(await rule.run(store, { nowMillis: nowMillis(), settings }));
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          log.error({ err: error, rule: rule.name }, 'retention rule failed');
          failures.push({ rule: rule.name, error: message });
        }
      }

      const removed = removals.filter((r) => r.rowsEstimate > 0 || r.bytes > 0 || r.notes);
      if (removed.length > 0 || failures.length > 0) {
        await recordChange(store, {
          actor: 'system',
          action: 'retention.run',
          subject: removed.flatMap((r) => r.tables).join(','),
          detail: { settings: { ...settings }, removals: removed, failures },
        });
      }
      for (const note of removals.flatMap((r) => r.notes ?? [])) log.warn(note);
      if (failures.length > 0) {
        throw new Error(`retention rules failed: ${failures.map((f) => f.rule).join(', ')}`);
      }
      return {
        removals: removed.map(({ rule, days, rowsEstimate, bytes }) => ({
          rule,
          days,
          rowsEstimate,
          bytes,
        })),
      };
    },
  };
}
