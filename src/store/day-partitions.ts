import { advisoryLocks } from './advisory-locks.js';
import type { Queryable, Store } from './store.js';
import {
  addDays,
  dayOfPartition,
  dayStartMillis,
  defaultPartitionName,
  partitionName,
  timeSeriesTables,
  type Day,
  type TimeSeriesTable,
} from './time-series.js';

/** One day partition of a time series as the catalog has it. */
export interface DayPartition {
  table: string;
  day: Day;
  name: string;
  /** pg_total_relation_size: rows, indexes and TOAST. */
  bytes: number;
}

/** What making sure of one day partition did. */
export interface EnsuredPartition {
  created: boolean;
  /** Rows moved into it from the DEFAULT partition. */
  movedRows: number;
}

/** Every day partition of the given tables (default: all time series), oldest day first. */
export async function listDayPartitions(
  db: Queryable,
  tables: readonly TimeSeriesTable[] = timeSeriesTables,
): Promise<DayPartition[]> {
  const rows = await db.query<{ parent: string; name: string; bytes: number }>(
    `SELECT p.relname AS parent, c.relname AS name,
            pg_total_relation_size(c.oid)::float8 AS bytes
     FROM pg_inherits i
     JOIN pg_class c ON c.oid = i.inhrelid
     JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relname = ANY($1::text[]) AND p.relnamespace = current_schema()::regnamespace`,
    [tables.map((series) => series.table)],
  );
  const partitions: DayPartition[] = [];
  for (const row of rows) {
    const day = dayOfPartition(row.parent, row.name);
    if (day) partitions.push({ table: row.parent, day, name: row.name, bytes: Number(row.bytes) });
  }
  return partitions.sort((a, b) => a.day.localeCompare(b.day) || a.table.localeCompare(b.table));
}

/** Bytes held by the DEFAULT partitions of the given tables, summed. */
export async function defaultPartitionBytes(
  db: Queryable,
  tables: readonly TimeSeriesTable[] = timeSeriesTables,
): Promise<number> {
  const [row] = await db.query<{ bytes: number }>(
    `SELECT coalesce(sum(pg_total_relation_size(to_regclass(name))), 0)::float8 AS bytes
     FROM unnest($1::text[]) AS name`,
    [tables.map((series) => defaultPartitionName(series.table))],
  );
  return Number(row!.bytes);
}

/** The UTC days of the rows waiting in a table's DEFAULT partition, oldest first. */
export async function daysInDefault(db: Queryable, series: TimeSeriesTable): Promise<Day[]> {
  const rows = await db.query<{ day: string }>(
    `SELECT DISTINCT to_char(${series.timeColumn} AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day
     FROM ${defaultPartitionName(series.table)} ORDER BY 1`,
  );
  return rows.map((row) => row.day);
}

/** Rows waiting in a DEFAULT partition, counted up to `limit` so a status call stays cheap. */
export async function rowsInDefault(
  db: Queryable,
  series: TimeSeriesTable,
  limit: number,
): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${defaultPartitionName(series.table)}
     LIMIT ${Math.trunc(limit)}) AS waiting`,
  );
  return row!.n;
}

/**
 * Makes sure a table has its partition for a day, in one transaction: creates the partition
 * as a table of its own, moves that day's rows out of the DEFAULT partition into it, and
 * attaches it. Nothing is lost under concurrent writers: the DEFAULT partition is locked
 * first, so a writer whose row belongs there waits, and once the partition is attached it is
 * refused with a partition-constraint error (a conflict, tried again at once by intake) and
 * lands in the new partition on the next try.
 * Not yet: a day's rows move in one transaction, so the first run after migrating a large
 * store holds the DEFAULT partition, and queries over the whole table, for as long as each
 * day's move takes; moving in smaller steps would shorten those waits.
 */
export async function ensureDayPartition(
  store: Store,
  series: TimeSeriesTable,
  day: Day,
): Promise<EnsuredPartition> {
  const name = partitionName(series.table, day);
  return store.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [advisoryLocks.partitionChanges]);
    const [found] = await tx.query<{ oid: string | null }>('SELECT to_regclass($1) AS oid', [name]);
    if (found?.oid) return { created: false, movedRows: 0 };

    const defaultName = defaultPartitionName(series.table);
    await tx.query(`LOCK TABLE ${defaultName} IN ACCESS EXCLUSIVE MODE`);
    await tx.query(
      `CREATE TABLE ${name} (LIKE ${series.table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
    );
    const columns = (await columnsOf(tx, series.table)).join(', ');
    const bounds = dayBounds(day);
    const [moved] = await tx.query<{ n: number }>(
      `WITH moved AS (
         DELETE FROM ${defaultName}
         WHERE ${series.timeColumn} >= $1 AND ${series.timeColumn} < $2
         RETURNING ${columns}
       ), kept AS (
         INSERT INTO ${name} (${columns}) SELECT ${columns} FROM moved RETURNING 1
       )
       SELECT count(*)::int AS n FROM kept`,
      [bounds.from, bounds.to],
    );
    // Bounds as UTC literals, so the session's time zone cannot shift a day.
    await tx.query(
      `ALTER TABLE ${series.table} ATTACH PARTITION ${name}
       FOR VALUES FROM ('${bounds.from}') TO ('${bounds.to}')`,
    );
    return { created: true, movedRows: moved!.n };
  });
}

/** How long a drop waits for the table's lock before giving up until the next run: 10 s. */
const dropLockTimeoutMillis = 10_000;

/**
 * Drops one day partition whole; returns its size and rows just before, 'absent' when there
 * is no such partition, or 'busy' when a long query held the table for more than 10 s (a
 * drop waiting longer would hold up every writer queued behind it).
 */
export async function dropDayPartition(
  store: Store,
  table: string,
  day: Day,
): Promise<{ bytes: number; rows: number } | 'absent' | 'busy'> {
  const name = partitionName(table, day);
  return store
    .transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [advisoryLocks.partitionChanges]);
      await tx.query(`SET LOCAL lock_timeout = ${dropLockTimeoutMillis}`);
      const [found] = await tx.query<{ bytes: number | null; reltuples: number | null }>(
        `SELECT pg_total_relation_size(to_regclass($1))::float8 AS bytes,
              (SELECT reltuples::float8 FROM pg_class WHERE oid = to_regclass($1)) AS reltuples`,
        [name],
      );
      if (found?.bytes === null || found?.bytes === undefined) return 'absent';
      const rows = await rowsEstimate(tx, name, found.reltuples);
      await tx.query(`DROP TABLE ${name}`);
      return { bytes: Number(found.bytes), rows };
    })
    .catch((error: unknown) => {
      if ((error as { code?: string }).code === lockNotAvailable) return 'busy' as const;
      throw error;
    });
}

/** SQLSTATE of a lock wait that ran past lock_timeout. */
const lockNotAvailable = '55P03';

/**
 * Deletes the rows of a DEFAULT partition older than a day (rows no day partition will ever
 * take, because retention has dropped their days); returns the days and rows deleted.
 */
export async function deleteDefaultRowsBefore(
  store: Store,
  series: TimeSeriesTable,
  before: Day,
): Promise<{ days: Day[]; rows: number }> {
  const rows = await store.query<{ day: string; n: number }>(
    `WITH gone AS (
       DELETE FROM ${defaultPartitionName(series.table)} WHERE ${series.timeColumn} < $1
       RETURNING ${series.timeColumn} AS at
     )
     SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS n
     FROM gone GROUP BY 1 ORDER BY 1`,
    [dayBounds(before).from],
  );
  return { days: rows.map((row) => row.day), rows: rows.reduce((sum, row) => sum + row.n, 0) };
}

// The planner's estimate when the table was analysed since it was made, else a count.
async function rowsEstimate(db: Queryable, name: string, reltuples: number | null) {
  if (reltuples !== null && reltuples >= 0) return Math.round(reltuples);
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${name}`);
  return row!.n;
}

async function columnsOf(db: Queryable, table: string): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT quote_ident(attname) AS name FROM pg_attribute
     WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [table],
  );
  return rows.map((row) => row.name);
}

function dayBounds(day: Day): { from: string; to: string } {
  const from = new Date(dayStartMillis(day)).toISOString();
  return { from, to: new Date(dayStartMillis(addDays(day, 1))).toISOString() };
}
