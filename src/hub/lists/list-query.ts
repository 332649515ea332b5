import type { Queryable, SqlParam } from '../../store/store.js';
import type { ColumnDefinition, ListDefinition } from './list-definitions.js';
import { cursorValueFits, encodeCursor, type ListRequest } from './list-parameters.js';

/** `total` is counted up to this many rows and is null beyond: 10,000. */
export const maxCountedRows = 10_000;

/** One page of a list. */
export interface ListPage {
  rows: Array<Record<string, unknown>>;
  nextCursor: string | null;
  /** Null when the list is longer than maxCountedRows, or not counted. */
  total: number | null;
}

/** A cursor that passed decoding but does not fit the list's columns. */
export class CursorMismatch extends Error {
  readonly field = 'after';
}

/**
 * Reads one page: the list's query filtered, searched with `q`, sorted by the requested
 * field with the unique columns as tie-breakers, and started after the cursor (keyset
 * paging: each page is an index-friendly range, never an OFFSET). `count` adds `total`.
 */
export async function readListPage(
  db: Queryable,
  list: ListDefinition,
  request: ListRequest,
  options: { count: boolean } = { count: true },
): Promise<ListPage> {
  const params: SqlParam[] = [];
  const param = (value: SqlParam, type: string) => {
    params.push(value);
    return `$${params.length}::${type}`;
  };
  const inner = list.query(whereBuilder(list, request, param));
  const keys = keyColumns(list, request.sort);
  const search = searchClause(list, request.q, param);
  const direction = request.order === 'asc' ? 'ASC' : 'DESC';
  // Nulls last; a column that is never null keeps the store's default for its direction, so
  // that an index on it (read forwards or backwards) gives the order without a sort.
  const order = keys
    .map((key) => `r."${key.key}" ${direction}${key.notNull ? '' : ' NULLS LAST'}`)
    .join(', ');
  const countSql = `SELECT count(*)::int AS n FROM (SELECT 1 FROM (${inner}) r
    WHERE ${search} LIMIT ${maxCountedRows + 1}) counted`;
  const countParams = [...params];

  const keyset = request.after ? afterClause(keys, request, param) : 'true';
  const keyText = keys.map((key, i) => `r."${key.key}"::text AS "_k${i}"`).join(', ');
  const rows = await db.query<Record<string, unknown>>(
    `SELECT r.*, ${keyText} FROM (${inner}) r
     WHERE ${search} AND ${keyset}
     ORDER BY ${order}
     LIMIT ${request.limit + 1}`,
    params,
  );

  const more = rows.length > request.limit;
  const page = more ? rows.slice(0, request.limit) : rows;
  const last = page.at(-1);
  const nextCursor =
    more && last
      ? encodeCursor(
          request.sort,
          request.order,
          keys.map((_, i) => (last[`_k${i}`] as string | null) ?? null),
        )
      : null;
  let total: number | null = null;
  if (options.count) {
    const [counted] = await db.query<{ n: number }>(countSql, countParams);
    total = counted && counted.n <= maxCountedRows ? counted.n : null;
  }
  return { rows: page.map((row) => outputRow(list, row)), nextCursor, total };
}

/** The sort column, then the unique columns that break its ties. */
function keyColumns(list: ListDefinition, sort: string): ColumnDefinition[] {
  const names = [sort, ...list.unique.filter((key) => key !== sort)];
  return names.map((name) => list.columns.find((column) => column.key === name)!);
}

function whereBuilder(
  list: ListDefinition,
  request: ListRequest,
  param: (value: SqlParam, type: string) => string,
) {
  return (expressions: Record<string, string>): string => {
    const clauses: string[] = [];
    if (list.timeRange) {
      const column = expressions.time;
      if (!column) throw new Error(`the ${list.name} list reads a time series without its time`);
      clauses.push(`${column} >= ${param(new Date(request.fromMillis!), 'timestamptz')}`);
      clauses.push(`${column} < ${param(new Date(request.toMillis!), 'timestamptz')}`);
    }
    for (const [field, value] of Object.entries(request.filters)) {
      const expression = expressions[field];
      // A part of the query without this field matches no row; it takes no parameter, as an
      // unused one has no type PostgreSQL can settle on.
      if (!expression) {
        clauses.push('false');
        continue;
      }
      const kind = list.filters[field]!.kind;
      const placeholder = param(
        value,
        kind === 'uuid' ? 'uuid' : kind === 'integer' ? 'int' : 'text',
      );
      if (expression.includes('$value')) clauses.push(expression.replaceAll('$value', placeholder));
      else clauses.push(`${expression} = ${placeholder}`);
    }
    return clauses.length > 0 ? clauses.join(' AND ') : 'true';
  };
}

function searchClause(
  list: ListDefinition,
  q: string | undefined,
  param: (value: SqlParam, type: string) => string,
): string {
  if (!q) return 'true';
  const pattern = param(`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, 'text');
  return `(${list.search.map((key) => `r."${key}" ILIKE ${pattern}`).join(' OR ')})`;
}

/**
 * Rows strictly after the cursor in the page order, nulls last: after on the first key, or
 * equal on it and after on the rest.
 */
function afterClause(
  keys: ColumnDefinition[],
  request: ListRequest,
  param: (value: SqlParam, type: string) => string,
): string {
  const values = request.after!;
  if (values.length !== keys.length) throw new CursorMismatch('after: not a cursor of this list');
  keys.forEach((key, i) => {
    if (!cursorValueFits(values[i]!, key.sqlType))
      throw new CursorMismatch('after: not a cursor of this list');
  });
  const beyond = request.order === 'asc' ? '>' : '<';
  const clause = (i: number): string => {
    const column = `r."${keys[i]!.key}"`;
    const value = values[i] ?? null;
    const placeholder = value === null ? 'NULL' : param(value, keys[i]!.sqlType);
    // Nulls come last in both orders: past a null there is only more null.
    const after =
      value === null
        ? 'false'
        : keys[i]!.notNull
          ? `${column} ${beyond} ${placeholder}`
          : `(${column} ${beyond} ${placeholder} OR ${column} IS NULL)`;
    if (i === keys.length - 1) return after;
    const equal = value === null ? `${column} IS NULL` : `${column} = ${placeholder}`;
    const rest = `(${after} OR (${equal} AND ${clause(i + 1)}))`;
    // A bound on a column that is never null lets the store read an index range from it.
    return i === 0 && keys[0]!.notNull ? `${column} ${beyond}= ${placeholder} AND ${rest}` : rest;
  };
  return clause(0);
}

/** A row as the API gives it: the list's columns only, times as ISO text. */
function outputRow(list: ListDefinition, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of list.columns) {
    const value = row[column.key];
    out[column.key] = value instanceof Date ? value.toISOString() : (value ?? null);
  }
  return out;
}
