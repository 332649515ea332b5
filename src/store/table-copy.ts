import { loadMigrations } from './migrate.js';
import type { Queryable, Transaction } from './store.js';

/**
 * Reading and writing whole tables, the same way on both stores: what `strata admin store
 * move`, backup and restore are made of.
 */

/** Heap pages read per slice of a table: 1,024 pages of 8 KiB, about 8 MiB of rows. */
const slicePages = 1_024;

/**
 * A table of the store and the columns a copy carries, in the table's own order. A table
 * partitioned by day is one table here: its rows are read from each of its partitions
 * (`sources`) and loaded through the table itself, which files them by day on the target
 * (days without a partition there wait in its DEFAULT partition for the maintainer).
 */
export interface TableShape {
  name: string;
  columns: string[];
  /** What holds the rows: the table itself, or a partitioned table's partitions. */
  sources: string[];
}

/**
 * Tables that triggers fill as other tables are loaded (the roll-ups' note of hours to build).
 * They are loaded last, and what the load's own triggers wrote into them is removed first, so
 * they end exactly as in the source.
 */
const triggerFilledTables = new Set(['rollup_changes']);

/** Prepares a table for its rows: empties a trigger-filled one of what the load wrote. */
export async function startLoading(tx: Queryable, table: TableShape): Promise<void> {
  if (triggerFilledTables.has(table.name)) await tx.query(`DELETE FROM ${table.name}`);
}

let strataTables: Promise<Set<string>> | null = null;

/**
 * The tables Strata's migrations make: the only ones a copy, backup or restore carries. A
 * PostgreSQL database may hold tables of other programs too; they are never taken along.
 */
export function strataTableNames(): Promise<Set<string>> {
  strataTables ??= loadMigrations().then((migrations) => {
    const names = new Set<string>();
    for (const { sql } of migrations) {
      for (const match of sql.matchAll(/\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)/gi)) {
        names.add(match[1]!.toLowerCase());
      }
    }
    return names;
  });
  return strataTables;
}

/** Tables of the schema that are not Strata's (partitions and the ledger aside). */
export async function foreignTables(db: Queryable): Promise<string[]> {
  const known = await strataTableNames();
  const rows = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
     ORDER BY 1`,
  );
  return rows.map((row) => row.name).filter((name) => name !== ownLedger && !known.has(name));
}

/** Tables the copy leaves out: the migration ledger, which each store writes for itself. */
const ownLedger = 'schema_migrations';

/**
 * Every table of the store's schema, each after the tables its foreign keys point to, so rows
 * can be loaded in this order with every key already satisfied.
 */
export async function storeTables(db: Queryable): Promise<TableShape[]> {
  const columns = await db.query<{ table_name: string; column_name: string }>(
    `SELECT c.relname AS table_name, a.attname AS column_name
     FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
       AND a.attgenerated = ''
     ORDER BY c.relname, a.attnum`,
  );
  const partitions = await db.query<{ parent: string; child: string }>(
    `SELECT parent.relname AS parent, child.relname AS child
     FROM pg_inherits i
     JOIN pg_class parent ON parent.oid = i.inhparent
     JOIN pg_class child ON child.oid = i.inhrelid
     JOIN pg_namespace n ON n.oid = parent.relnamespace
     WHERE n.nspname = current_schema() AND parent.relkind = 'p'
     ORDER BY 1, 2`,
  );
  const references = await db.query<{ child: string; parent: string }>(
    `SELECT DISTINCT child.relname AS child, parent.relname AS parent
     FROM pg_constraint k
     JOIN pg_class child ON child.oid = k.conrelid
     JOIN pg_class parent ON parent.oid = k.confrelid
     JOIN pg_namespace n ON n.oid = child.relnamespace
     WHERE k.contype = 'f' AND n.nspname = current_schema() AND child.oid <> parent.oid`,
  );

  const known = await strataTableNames();
  const shapes = new Map<string, TableShape>();
  for (const row of columns) {
    if (row.table_name === ownLedger || !known.has(row.table_name)) continue;
    // Names go into statements unquoted: the schema uses plain lowercase identifiers only.
    for (const name of [row.table_name, row.column_name]) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain identifier: ${name}`);
    }
    const shape = shapes.get(row.table_name) ?? {
      name: row.table_name,
      columns: [],
      sources: [row.table_name],
    };
    shape.columns.push(row.column_name);
    shapes.set(row.table_name, shape);
  }
  for (const { parent, child } of partitions) {
    const shape = shapes.get(parent);
    if (!shape) continue;
    if (!/^[a-z_][a-z0-9_]*$/.test(child)) throw new Error(`not a plain identifier: ${child}`);
    if (shape.sources[0] === parent) shape.sources = [];
    shape.sources.push(child);
  }
  const ordered = dependencyOrder(shapes, references);
  return [
    ...ordered.filter((table) => !triggerFilledTables.has(table.name)),
    ...ordered.filter((table) => triggerFilledTables.has(table.name)),
  ];
}

function dependencyOrder(
  shapes: Map<string, TableShape>,
  references: Array<{ child: string; parent: string }>,
): TableShape[] {
  const ordered: TableShape[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (placed.has(name) || !shapes.has(name)) return;
    // A cycle of foreign keys cannot be loaded table by table; none exists in the schema.
    if (visiting.has(name)) throw new Error(`foreign keys form a cycle through ${name}`);
    visiting.add(name);
    for (const { child, parent } of references) if (child === name) visit(parent);
    visiting.delete(name);
    placed.add(name);
    ordered.push(shapes.get(name)!);
  };
  for (const name of [...shapes.keys()].sort()) visit(name);
  return ordered;
}

/** Rows in each table, by name. */
export async function rowCounts(db: Queryable, tables: readonly TableShape[]) {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table.name}`);
    counts[table.name] = row!.n;
  }
  return counts;
}

/** The tables that hold rows, with how many; empty when the store holds nothing. */
export async function tablesWithRows(db: Queryable): Promise<Array<[string, number]>> {
  const counts = await rowCounts(db, await storeTables(db));
  return Object.entries(counts).filter(([, rows]) => rows > 0);
}

/** The newest migration applied to the store; 0 when it has never been migrated. */
export async function schemaVersion(db: Queryable): Promise<number> {
  const [ledger] = await db.query<{ present: boolean }>(
    `SELECT to_regclass('${ownLedger}') IS NOT NULL AS present`,
  );
  if (!ledger?.present) return 0;
  const [row] = await db.query<{ version: number | null }>(
    `SELECT max(version) AS version FROM ${ownLedger}`,
  );
  return row?.version ?? 0;
}

/**
 * Reads a table in slices of heap pages and hands each slice, in COPY text format, to `take`;
 * returns the rows read. Run it in a REPEATABLE READ transaction for a consistent picture.
 */
export async function copyTableOut(
  tx: Transaction,
  table: TableShape,
  take: (text: string) => Promise<void>,
): Promise<number> {
  const list = table.columns.join(', ');
  let rows = 0;
  for (const source of table.sources) {
    const [size] = await tx.query<{ pages: number }>(
      `SELECT ceil(pg_relation_size('${source}') /
         current_setting('block_size')::numeric)::int AS pages`,
    );
    // A range of ctids is read by a TID range scan: each slice costs its own pages only.
    for (let page = 0; page < size!.pages; page += slicePages) {
      const text = await tx.copyOut(
        `SELECT ${list} FROM ${source}
         WHERE ctid >= '(${page},0)'::tid AND ctid < '(${page + slicePages},0)'::tid`,
      );
      if (text.length === 0) continue;
      rows += countLines(text);
      await take(text);
    }
  }
  return rows;
}

/** Rows in a piece of COPY text: one per line, since line breaks in values are escaped. */
export function countLines(text: string): number {
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
}

/**
 * Sets every sequence behind a serial column past the largest value its column holds, so
 * rows added after a load do not collide with loaded ones.
 */
export async function resetSequences(tx: Queryable): Promise<void> {
  const serials = await tx.query<{ table_name: string; column_name: string; sequence: string }>(
    `SELECT table_name, column_name,
       pg_get_serial_sequence(quote_ident(table_name), column_name) AS sequence
     FROM information_schema.columns
     WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'`,
  );
  for (const { table_name, column_name, sequence } of serials) {
    if (!sequence) continue;
    await tx.query(
      `SELECT setval($1, coalesce((SELECT max(${column_name}) FROM ${table_name}), 0) + 1, false)`,
      [sequence],
    );
  }
}

/** Empties every table, serial counters too; for a restore that replaces a store. */
export async function emptyTables(tx: Queryable, tables: readonly TableShape[]): Promise<void> {
  if (tables.length === 0) return;
  await tx.query(`TRUNCATE ${tables.map((table) => table.name).join(', ')} RESTART IDENTITY`);
}
