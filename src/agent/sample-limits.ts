/**
 * Fitting measured values into the callback schema. A real machine can report NaN, negative
 * sizes, 5,000-character command lines or a CPU share a hair above 100; the hub refuses any
 * callback that breaks the schema, so the agent bends values to fit instead of losing the
 * whole sample.
 */

/** Longest text the schema accepts in a short field, in characters. */
export const shortTextMaxChars = 256;
/** Longest command line the schema accepts, in characters. */
export const commandMaxChars = 4_096;
/** Longest fully-qualified account name the schema accepts, in characters. */
export const accountMaxChars = 512;

/** A finite number at or above zero; anything else becomes 0. */
export function nonNegative(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/** A whole number at or above zero; anything else becomes 0. */
export function nonNegativeInteger(value: number | null | undefined): number {
  return Math.floor(nonNegative(value));
}

/** A finite number at or above zero, or null when the platform gave none. */
export function nonNegativeOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/** A percentage between 0 and 100, rounded to hundredths; NaN becomes 0. */
export function percent(value: number): number {
  return Math.round(Math.min(100, nonNegative(value)) * 100) / 100;
}

/** At most `maxChars` characters, without leaving half a surrogate pair at the end. */
export function truncate(text: string | null | undefined, maxChars = shortTextMaxChars): string {
  const value = text ?? '';
  if (value.length <= maxChars) return value;

  const cut = value.slice(0, maxChars);
  const last = cut.charCodeAt(cut.length - 1);
  // A lone high surrogate would become U+FFFD on the wire and confuse searches.
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/** ISO 8601 text for a valid date, otherwise null. */
export function isoOrNull(date: Date | null | undefined): string | null {
  return date && Number.isFinite(date.getTime()) ? date.toISOString() : null;
}
