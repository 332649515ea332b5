import { HttpError } from '../../shared/errors.js';
import type { Queryable, Store } from '../../store/store.js';
import { recordChange } from '../change-log.js';

/**
 * The site's time zone, an IANA name kept in hub_settings under `site_time_zone` (default
 * UTC). Roll-up days, weeks (from Monday), months and years begin at local midnight there.
 */
export const defaultTimeZone = 'UTC';
const settingsKey = 'site_time_zone';

/** The site's time zone. */
export async function readSiteTimeZone(db: Queryable): Promise<string> {
  const rows = await db.query<{ value: { timeZone?: string } }>(
    'SELECT value FROM hub_settings WHERE key = $1',
    [settingsKey],
  );
  return rows[0]?.value.timeZone ?? defaultTimeZone;
}

/**
 * Sets the site's time zone after checking both Node and the store know the name; records
 * the change. Roll-ups built before keep the boundaries they were built with; periods built
 * from now on follow the new zone.
 */
export async function setSiteTimeZone(
  store: Store,
  timeZone: unknown,
  actor: string,
): Promise<{ timeZone: string; previous: string }> {
  const name = checkTimeZoneName(timeZone);
  return store.transaction(async (tx) => {
    const known = await tx.query<{ name: string }>(
      'SELECT name FROM pg_timezone_names WHERE name = $1',
      [name],
    );
    if (known.length === 0) {
      throw new HttpError(400, 'invalid_time_zone', `the store does not know the zone ${name}`);
    }
    const previous = await readSiteTimeZone(tx);
    await tx.query(
      `INSERT INTO hub_settings (key, value) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [settingsKey, JSON.stringify({ timeZone: name })],
    );
    await recordChange(tx, {
      actor,
      action: 'settings.time_zone',
      subject: name,
      detail: { previous },
    });
    return { timeZone: name, previous };
  });
}

/** An IANA zone name Node knows, such as Europe/Berlin; else a 400 with the reason. */
export function checkTimeZoneName(timeZone: unknown): string {
  if (typeof timeZone !== 'string' || !/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(timeZone)) {
    throw new HttpError(
      400,
      'invalid_time_zone',
      'the time zone must be an IANA name such as Europe/Berlin or UTC',
    );
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new HttpError(400, 'invalid_time_zone', `${timeZone} is not a known time zone`);
  }
  return timeZone;
}

/** The local date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(millis: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(millis));
}
