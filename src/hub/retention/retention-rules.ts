import type { Store } from '../../store/store.js';
import type { RetentionSettings } from './retention-settings.js';

/** What one retention rule removed in one run. */
export interface RetentionRemoval {
  /** The rule's name, as in the change log entry. */
  rule: string;
  tables: string[];
  /** UTC days removed (`YYYY-MM-DD`), oldest first. */
  days: string[];
  /** Rows removed: the planner's estimate for dropped partitions, exact for deleted rows. */
  rowsEstimate: number;
  /** Bytes the removed partitions held (deleted rows free no bytes until vacuumed: 0). */
  bytes: number;
  /** Anything a person should know, such as a ceiling that could not be met. */
  notes?: string[];
}

/** What a rule is given: the hub's clock and the site's settings as they are now. */
export interface RetentionRunContext {
  nowMillis: number;
  settings: RetentionSettings;
}

/**
 * One kind of data with its own retention. The detail rule is built in; other modules (the
 * day, week, month and year roll-ups, each with its own number of days) register theirs with
 * the hub's retention job. Only the detail rule answers to the storage ceiling: roll-ups are
 * never dropped to make room.
 */
export interface RetentionRule {
  name: string;
  run(store: Store, context: RetentionRunContext): Promise<RetentionRemoval>;
}

/**
 * Not yet: alert history and finished scheduled reports have no tables. When they land, each
 * brings a RetentionRule (by age, from its own setting) and is added here; until then nothing
 * of theirs is removed because nothing of theirs is stored.
 */
export const alertHistoryRetention: RetentionRule | null = null;
export const finishedReportRetention: RetentionRule | null = null;

/** An empty removal, for a rule that found nothing to remove. */
export function nothingRemoved(rule: string): RetentionRemoval {
  return { rule, tables: [], days: [], rowsEstimate: 0, bytes: 0 };
}
