import type { ListDefinition, SqlType } from './list-definitions.js';

/** Rows a page has unless `limit` says otherwise: 50; at most 500. */
export const defaultPageRows = 50;
export const maxPageRows = 500;
/** The range time series are read over unless `from` or `to` say otherwise: the last 24 h. */
export const defaultRangeMillis = 86_400_000;
/** Longest `q` and filter value accepted, in characters. */
const maxTextLength = 200;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A time as the store writes it as text: `2026-01-31 08:00:00.123456+00`.
const storeTimePattern = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d{1,6})?([+-]\d\d(:?\d\d)?|Z)?$/;

/** A list request, checked: only known fields, values of the right kind. */
export interface ListRequest {
  q?: string;
  sort: string;
  order: 'asc' | 'desc';
  limit: number;
  /** Where the previous page ended: the sort value and the unique columns' values, as text. */
  after?: Array<string | null>;
  fromMillis?: number;
  toMillis?: number;
  /** Filter field -> value, each a field the list defines. */
  filters: Record<string, string>;
}

export type Parsed<T> =
  { kind: 'ok'; value: T } | { kind: 'invalid'; field: string; message: string };

const invalid = (field: string, message: string) =>
  ({ kind: 'invalid', field, message: `${field}: ${message}` }) as const;

/**
 * Checks a list's query string. `extra` names further fields the caller handles itself
 * (`format` for exports). Unknown fields, repeated fields and bad values are refused by name.
 */
export function parseListRequest(
  list: ListDefinition,
  query: Record<string, unknown>,
  nowMillis: number,
  extra: readonly string[] = [],
): Parsed<ListRequest> {
  const known = new Set(['q', 'sort', 'order', 'limit', 'after', ...extra]);
  if (list.timeRange) known.add('from').add('to');
  const values: Record<string, string> = {};
  for (const [field, value] of Object.entries(query)) {
    if (!known.has(field) && !(field in list.filters)) {
      if (field === 'from' || field === 'to')
        return invalid(field, `the ${list.name} list is not a time series and takes no range`);
      return invalid(field, `the ${list.name} list has no such field`);
    }
    if (typeof value !== 'string') return invalid(field, 'give it once');
    if (value.length > maxTextLength || value.includes('\0'))
      return invalid(field, `at most ${maxTextLength} characters, no NUL`);
    values[field] = value;
  }

  const sort = values.sort ?? list.defaultSort.field;
  if (!list.sorts.includes(sort))
    return invalid('sort', `the ${list.name} list sorts by ${list.sorts.join(', ')}`);
  const order = values.order ?? (values.sort ? 'asc' : list.defaultSort.order);
  if (order !== 'asc' && order !== 'desc') return invalid('order', 'asc or desc');
  const limit = values.limit === undefined ? defaultPageRows : Number(values.limit);
  if (!/^\d+$/.test(values.limit ?? '1') || limit < 1 || limit > maxPageRows)
    return invalid('limit', `a whole number from 1 to ${maxPageRows}`);

  const filters: Record<string, string> = {};
  for (const [field, filter] of Object.entries(list.filters)) {
    const value = values[field];
    if (value === undefined) continue;
    if (filter.kind === 'uuid' && !uuidPattern.test(value))
      return invalid(field, 'a machine id (a UUID)');
    if (filter.kind === 'integer' && !/^\d{1,9}$/.test(value))
      return invalid(field, 'a whole number');
    if (filter.kind === 'enum' && !filter.values.includes(value))
      return invalid(field, `one of ${filter.values.join(', ')}`);
    filters[field] = value;
  }

  const range = list.timeRange ? rangeOf(values, nowMillis) : { kind: 'ok' as const, value: {} };
  if (range.kind === 'invalid') return range;
  const after = values.after === undefined ? undefined : decodeCursor(values.after, sort, order);
  if (after === null) return invalid('after', 'not a cursor this list gave for this sort');

  return {
    kind: 'ok',
    value: {
      ...(values.q ? { q: values.q } : {}),
      sort,
      order,
      limit,
      ...(after ? { after } : {}),
      ...range.value,
      filters,
    },
  };
}

function rangeOf(
  values: Record<string, string>,
  nowMillis: number,
): Parsed<{ fromMillis: number; toMillis: number }> {
  const toMillis = values.to === undefined ? nowMillis : Date.parse(values.to);
  if (Number.isNaN(toMillis)) return invalid('to', 'an ISO time, such as 2026-01-31T08:00:00Z');
  const fromMillis =
    values.from === undefined ? toMillis - defaultRangeMillis : Date.parse(values.from);
  if (Number.isNaN(fromMillis)) return invalid('from', 'an ISO time, such as 2026-01-31T08:00:00Z');
  if (fromMillis >= toMillis) return invalid('from', 'must be before to');
  return { kind: 'ok', value: { fromMillis, toMillis } };
}

/**
 * A cursor is the last row's sort value and unique columns' values, as the store wrote them
 * as text (so times keep their microseconds), with the sort it belongs to.
 */
export function encodeCursor(sort: string, order: string, values: Array<string | null>): string {
  return Buffer.from(JSON.stringify({ s: sort, o: order, v: values })).toString('base64url');
}

function decodeCursor(text: string, sort: string, order: string): Array<string | null> | null {
  try {
    const cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as {
      s?: unknown;
      o?: unknown;
      v?: unknown;
    };
    if (cursor.s !== sort || cursor.o !== order || !Array.isArray(cursor.v)) return null;
    if (!cursor.v.every((value) => value === null || typeof value === 'string')) return null;
    return cursor.v as Array<string | null>;
  } catch {
    return null;
  }
}

/** Checks a cursor value can be cast to its column's type, so a forged one gets a 400. */
export function cursorValueFits(value: string | null, type: SqlType): boolean {
  if (value === null) return true;
  if (type === 'uuid') return uuidPattern.test(value);
  if (type === 'float8') return value.trim() !== '' && !Number.isNaN(Number(value));
  if (type === 'timestamptz') return storeTimePattern.test(value);
  return true;
}
