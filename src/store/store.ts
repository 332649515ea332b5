/**
 * One typed query layer over the embedded store (PGlite) and a PostgreSQL server.
 * Every query is PostgreSQL SQL with `$1` parameters and runs unchanged on both.
 */

export type SqlParam = string | number | boolean | null | Date | Buffer | object;

/** Anything that can run a query: the store itself or an open transaction. */
export interface Queryable {
  query<Row extends object>(sql: string, params?: readonly SqlParam[]): Promise<Row[]>;
}

/** An open transaction: queries plus whole scripts (for migrations). */
export interface Transaction extends Queryable {
  execScript(sql: string): Promise<void>;
  /**
   * Loads rows with COPY, the fastest way in: `text` is PostgreSQL's COPY text format (see
   * copy-text.ts). Table and column names come from code, never from input.
   */
  copyFrom(table: string, columns: readonly string[], text: string): Promise<void>;
  /**
   * Runs `COPY (select) TO` and returns the rows in COPY text format. `select` comes from code,
   * never from input; callers keep each result small by reading a table in slices.
   */
  copyOut(select: string): Promise<string>;
}

export interface Store extends Queryable {
  /** 'embedded' for PGlite in a data folder, 'postgres' for a PostgreSQL server. */
  readonly kind: 'embedded' | 'postgres';
  /** Where the data lives, without any password, for status lines and logs. */
  readonly location: string;
  /** Runs `work` in one transaction; commits when it returns, rolls back when it throws. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters (migrations). */
  execScript(sql: string): Promise<void>;
  close(): Promise<void>;
}
