import { HttpError } from '../../shared/errors.js';
import type { Queryable, Store } from '../../store/store.js';
import { recordChange } from '../change-log.js';

/** How long detail is kept, and how much of it; kept in hub_settings under `retention`. */
export interface RetentionSettings {
  /** Days of detail (time series rows) kept; default 30. */
  detailDays: number;
  /** Most bytes the detail partitions may hold, oldest days dropped first; null: no ceiling. */
  ceilingBytes: number | null;
}

export const defaultRetentionSettings: RetentionSettings = { detailDays: 30, ceilingBytes: null };

/** Fewest and most days of detail a site may keep: 1 to 3,650 (ten years). */
export const minDetailDays = 1;
export const maxDetailDays = 3_650;
/** The smallest ceiling accepted: 1 MiB (a smaller one would drop every day but today). */
export const minCeilingBytes = 1_048_576;

const settingsKey = 'retention';

export async function readRetentionSettings(db: Queryable): Promise<RetentionSettings> {
  const rows = await db.query<{ value: Partial<RetentionSettings> }>(
    'SELECT value FROM hub_settings WHERE key = $1',
    [settingsKey],
  );
  return { ...defaultRetentionSettings, ...rows[0]?.value };
}

/**
 * Checks a change: whole days in range, a whole number of bytes at least the minimum, or null
 * to remove the ceiling. Returns the reason it is refused, or null when it is good.
 */
export function retentionChangeProblem(change: Partial<RetentionSettings>): string | null {
  const { detailDays, ceilingBytes } = change;
  if (detailDays !== undefined) {
    if (!Number.isInteger(detailDays) || detailDays < minDetailDays || detailDays > maxDetailDays)
      return `detailDays must be a whole number of days from ${minDetailDays} to ${maxDetailDays}`;
  }
  if (ceilingBytes !== undefined && ceilingBytes !== null) {
    if (!Number.isSafeInteger(ceilingBytes) || ceilingBytes < minCeilingBytes)
      return `ceilingBytes must be a whole number of bytes, at least ${minCeilingBytes}, or null`;
  }
  return null;
}

/** Changes the settings, with a change log entry; returns them all as they are now. */
export async function changeRetentionSettings(
  store: Store,
  change: Partial<RetentionSettings>,
  actor: string,
): Promise<RetentionSettings> {
  const problem = retentionChangeProblem(change);
  if (problem) throw new HttpError(400, 'invalid_retention', problem);
  return store.transaction(async (tx) => {
    const before = await readRetentionSettings(tx);
    const settings = { ...before, ...change };
    await tx.query(
      `INSERT INTO hub_settings (key, value) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [settingsKey, JSON.stringify(settings)],
    );
    await recordChange(tx, {
      actor,
      action: 'retention.settings',
      detail: { before: { ...before }, after: { ...settings } },
    });
    return settings;
  });
}
