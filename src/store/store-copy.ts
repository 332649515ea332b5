import { ConfigError } from '../shared/errors.js';
import { loadMigrations, migrate } from './migrate.js';
import type { Store, Transaction } from './store.js';
import {
  copyTableOut,
  rowCounts,
  resetSequences,
  schemaVersion,
  startLoading,
  storeTables,
  type TableShape,
} from './table-copy.js';

/** One table done: its name and the rows it now holds. */
export type TableProgress = (table: string, rows: number) => void;

/** Reads the source inside one snapshot, so rows added meanwhile do not half-appear. */
export function readSnapshot<T>(store: Store, work: (tx: Transaction) => Promise<T>): Promise<T> {
  return store.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    return work(tx);
  });
}

/** The newest schema version this program knows. */
export async function knownSchemaVersion(): Promise<number> {
  const migrations = await loadMigrations();
  return migrations.at(-1)?.version ?? 0;
}

/**
 * Brings a store the data of `version` will go into to that version exactly, leaving newer
 * migrations to run after the load, so they meet the data the way they meet it on any store.
 */
export async function migrateUpTo(store: Store, version: number): Promise<void> {
  const migrations = await loadMigrations();
  await migrate(
    store,
    migrations.filter((migration) => migration.version <= version),
  );
}

/** Refuses a target whose tables differ from the source's: a load would fail half-way. */
export function checkSameShape(source: TableShape[], target: TableShape[]): void {
  const byName = new Map(target.map((table) => [table.name, table]));
  for (const table of source) {
    const there = byName.get(table.name);
    const missing = there
      ? table.columns.filter((column) => !there.columns.includes(column))
      : ['(the whole table)'];
    if (missing.length > 0) {
      throw new ConfigError(
        `the target store has no place for ${table.name}: ${missing.join(', ')} missing`,
      );
    }
  }
}

/**
 * Copies every row of `source` into `target`, which must be empty and at the same schema
 * version; one transaction on the target, so a failure leaves it as it was. Counts are
 * compared per table before the commit. `finish` runs in that transaction after the check.
 */
export async function copyStoreRows(
  source: Store,
  target: Store,
  progress: TableProgress,
  finish: (tx: Transaction) => Promise<void>,
): Promise<Record<string, number>> {
  const tables = await storeTables(source);
  checkSameShape(tables, await storeTables(target));
  return readSnapshot(source, async (reader) =>
    target.transaction(async (writer) => {
      const expected: Record<string, number> = {};
      for (const table of tables) {
        await startLoading(writer, table);
        const copied = await copyTableOut(reader, table, (text) =>
          writer.copyFrom(table.name, table.columns, text),
        );
        expected[table.name] = copied;
        progress(table.name, copied);
      }
      await resetSequences(writer);
      const [sourceCounts, targetCounts] = [
        await rowCounts(reader, tables),
        await rowCounts(writer, tables),
      ];
      for (const table of tables) {
        const want = sourceCounts[table.name];
        if (targetCounts[table.name] !== want || expected[table.name] !== want) {
          throw new Error(
            `${table.name}: ${want} rows in the source, ${targetCounts[table.name]} copied; ` +
              'nothing was kept',
          );
        }
      }
      await finish(writer);
      return sourceCounts;
    }),
  );
}

/** The schema versions of both ends, refusing a source newer than this program. */
export async function checkVersions(source: Store, target: Store) {
  const [sourceVersion, targetVersion, known] = [
    await schemaVersion(source),
    await schemaVersion(target),
    await knownSchemaVersion(),
  ];
  if (sourceVersion > known) {
    throw new ConfigError(
      `the store is at schema version ${sourceVersion}, newer than this Strata knows ` +
        `(${known}); use the Strata version that wrote it`,
    );
  }
  return { sourceVersion, targetVersion };
}
