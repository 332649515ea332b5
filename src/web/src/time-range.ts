/**
 * The time range a page shows, kept in the address as `range=hour|day|week|month` or
 * `range=custom&from=ISO&to=ISO`. Ranges that end now are resolved when read, so a shared
 * link to "the last day" shows the last day whenever it is opened.
 */
import { useMemo } from 'react';

export const RANGE_PRESETS = ['hour', 'day', 'week', 'month'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

/** The preset a page shows when its address names none. */
export const DEFAULT_RANGE: RangePreset = 'day';

const PRESET_MILLIS: Record<RangePreset, number> = {
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
};

export interface TimeRange {
  kind: RangePreset | 'custom';
  fromMillis: number;
  toMillis: number;
}

/** Ranges that end now end at the next whole minute, so re-reading one asks the same thing. */
const MINUTE_MILLIS = 60_000;

/** The range the address asks for; a custom range that does not parse falls back to a day. */
export function readTimeRange(params: URLSearchParams, clockMillis = Date.now()): TimeRange {
  const nowMillis = Math.ceil(clockMillis / MINUTE_MILLIS) * MINUTE_MILLIS;
  const kind = params.get('range') ?? DEFAULT_RANGE;
  if (kind === 'custom') {
    const fromMillis = Date.parse(params.get('from') ?? '');
    const toMillis = Date.parse(params.get('to') ?? '');
    if (!Number.isNaN(fromMillis) && !Number.isNaN(toMillis) && fromMillis < toMillis) {
      return { kind, fromMillis, toMillis };
    }
  }
  const preset = (RANGE_PRESETS as readonly string[]).includes(kind)
    ? (kind as RangePreset)
    : DEFAULT_RANGE;
  return { kind: preset, fromMillis: nowMillis - PRESET_MILLIS[preset], toMillis: nowMillis };
}

/** `from` and `to` as the list API takes them. */
export function rangeQuery(range: TimeRange): { from: string; to: string } {
  return {
    from: new Date(range.fromMillis).toISOString(),
    to: new Date(range.toMillis).toISOString(),
  };
}

/** The page's time range, read again only when the address changes. */
export function useTimeRange(params: URLSearchParams): TimeRange {
  const key = params.toString();
  return useMemo(() => readTimeRange(params), [key]);
}
