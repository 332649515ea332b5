/**
 * Turns raw numbers from the API into the text people read: binary units for bytes,
 * one decimal for percentages, and "5 minutes ago" for times.
 */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;
const BYTES_PER_UNIT = 1024;

/** Placeholder for a number the hub does not have yet (no sample stored). */
export const MISSING = '–';

const oneDecimal = new Intl.NumberFormat('en', {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const wholeNumber = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

/** Index into BYTE_UNITS of the largest unit that keeps `bytes` at 1 or more. */
export function byteUnitFor(bytes: number): number {
  let unit = 0;
  while (bytes >= BYTES_PER_UNIT && unit < BYTE_UNITS.length - 1) {
    bytes /= BYTES_PER_UNIT;
    unit += 1;
  }
  return unit;
}

/** From this many units up a decimal adds nothing anyone reads: "240 GiB", not "240.0". */
const WHOLE_FROM = 100;

/**
 * Bytes in `unit`, with the precision `reference` (in the same unit) calls for, so a used
 * and a total figure printed together share one number of decimals.
 */
function inUnit(bytes: number, unit: number, reference: number = bytes): string {
  const divisor = BYTES_PER_UNIT ** unit;
  const whole = unit === 0 || reference / divisor >= WHOLE_FROM;
  return (whole ? wholeNumber : oneDecimal).format(bytes / divisor);
}

/** "15.5 GiB", "128 GiB"; `MISSING` for null. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return MISSING;
  const unit = byteUnitFor(bytes);
  return `${inUnit(bytes, unit)} ${BYTE_UNITS[unit]}`;
}

/** "3.2 / 15.5 GiB": both sides in the total's unit so they compare at a glance. */
export function formatUsedOfTotal(used: number | null, total: number | null): string {
  if (used === null || total === null) return MISSING;
  const unit = byteUnitFor(total);
  return `${inUnit(used, unit, total)} / ${inUnit(total, unit)} ${BYTE_UNITS[unit]}`;
}

/** "12.5 %"; `MISSING` for null. */
export function formatPercent(percent: number | null): string {
  return percent === null ? MISSING : `${oneDecimal.format(percent)} %`;
}

/** Share of `total` that `used` takes, 0 to 100, or null when either is unknown or zero. */
export function percentOf(used: number | null, total: number | null): number | null {
  if (used === null || total === null || total <= 0) return null;
  return Math.min(100, Math.max(0, (used / total) * 100));
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const RELATIVE_STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
];

/** "5 minutes ago", "yesterday"; times in the future read "in 2 minutes". */
export function formatRelative(iso: string, nowMillis: number = Date.now()): string {
  let amount = (Date.parse(iso) - nowMillis) / 1000;
  if (Number.isNaN(amount)) return MISSING;
  for (const [unit, perNext] of RELATIVE_STEPS) {
    if (Math.abs(amount) < perNext) return relative.format(Math.round(amount), unit);
    amount /= perNext;
  }
  return MISSING;
}

const absolute = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' });

/** Local date and time, for tooltips and fact lists. */
export function formatAbsolute(iso: string): string {
  const millis = Date.parse(iso);
  return Number.isNaN(millis) ? MISSING : absolute.format(millis);
}

/** The viewer's time zone, such as "Europe/Berlin"; times on every page are shown in it. */
export const viewerTimeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

// dateStyle and timeStyle cannot be combined with timeZoneName, so the parts are named.
const zonedTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

/** "4 Dec 2026, 14:05 CET": date and time in the viewer's zone, with the zone named. */
export function formatZonedTime(value: string | number | null): string {
  if (value === null) return MISSING;
  const millis = typeof value === 'number' ? value : Date.parse(value);
  return Number.isNaN(millis) ? MISSING : zonedTime.format(millis);
}

const DURATION_STEPS: [string, number][] = [
  ['ms', 1000],
  ['s', 60],
  ['min', 60],
  ['h', 24],
  ['d', Number.POSITIVE_INFINITY],
];

/** "850 ms", "4.2 s", "3.5 min", "2.0 h"; durations arrive in milliseconds. */
export function formatDuration(millis: number | null): string {
  if (millis === null || !Number.isFinite(millis)) return MISSING;
  let amount = millis;
  for (const [unit, perNext] of DURATION_STEPS) {
    if (Math.abs(amount) < perNext) {
      return unit === 'ms'
        ? `${wholeNumber.format(amount)} ms`
        : `${oneDecimal.format(amount)} ${unit}`;
    }
    amount /= perNext;
  }
  return MISSING;
}

/** A list column's type, as the list API names it. */
export type ColumnType = 'text' | 'number' | 'bytes' | 'percent' | 'time' | 'duration';

/** A list cell as text people read, by its column's type. */
export function formatCell(type: ColumnType, value: unknown): string {
  if (value === null || value === undefined || value === '') return MISSING;
  const number = typeof value === 'number' ? value : Number(value);
  switch (type) {
    case 'bytes':
      return Number.isFinite(number) ? formatBytes(number) : String(value);
    case 'percent':
      return Number.isFinite(number) ? formatPercent(number) : String(value);
    case 'duration':
      return formatDuration(Number.isFinite(number) ? number : null);
    case 'time':
      return formatZonedTime(typeof value === 'number' ? value : String(value));
    case 'number':
      return Number.isFinite(number) ? new Intl.NumberFormat('en').format(number) : String(value);
    case 'text':
      return String(value);
  }
}
