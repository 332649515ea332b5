import { existsSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDataDir } from '../shared/data-dir.js';
import { ConfigError } from '../shared/errors.js';
import { lockHolder, takePidLock } from '../shared/pid-lock.js';
import {
  BackupRefused,
  checkBackup,
  loadBackup,
  writeBackup,
  type BackupManifest,
} from '../store/backup-file.js';
import { migrate } from '../store/migrate.js';
import { openPgliteStore } from '../store/pglite-store.js';
import { hubApplicationName, openPostgresStore, redactUrl } from '../store/postgres-store.js';
import {
  checkVersions,
  copyStoreRows,
  knownSchemaVersion,
  migrateUpTo,
  type TableProgress,
} from '../store/store-copy.js';
import { readMovedStore, writeMovedStore } from '../store/store-location-file.js';
import type { Store } from '../store/store.js';
import {
  emptyTables,
  resetSequences,
  rowCounts,
  schemaVersion,
  storeTables,
  foreignTables,
  tablesWithRows,
} from '../store/table-copy.js';
import { recordChange } from './change-log.js';

/**
 * Whole-store work done from a shell on the hub machine: moving the embedded store to a
 * PostgreSQL server, backing a store up to a file and restoring one. Moving and restoring
 * need the hub stopped; a backup can be taken from a running hub.
 */

/** Name of the pid lock a hub holds on its data folder. */
const hubLockName = 'hub.lock';

/** Where a hub keeps its embedded store inside its data folder. */
export const embeddedStoreDir = (hubDir: string) => join(hubDir, 'store');

async function refuseWhileHubRuns(hubDir: string, what: string): Promise<() => Promise<void>> {
  const holder = await lockHolder(join(hubDir, hubLockName));
  if (holder) {
    throw new ConfigError(
      `the hub of ${hubDir} is running (process ${holder}); stop it before ${what}`,
    );
  }
  // Held until the work is done, so no hub starts on the store half-way. A restore onto a
  // new machine starts from no folder at all.
  await ensureDataDir(hubDir);
  return takePidLock(join(hubDir, hubLockName), `the data folder ${hubDir}`);
}

/** Refuses while any hub has connections open to the database. */
async function refuseWhileHubConnected(store: Store, what: string): Promise<void> {
  const [row] = await store.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND application_name = $1`,
    [hubApplicationName],
  );
  if (row!.n > 0) {
    throw new ConfigError(
      `a hub is connected to ${store.location} (${row!.n} connection(s)); stop every hub of ` +
        `the site before ${what}`,
    );
  }
}

function describeRows(tables: Array<[string, number]>): string {
  const shown = tables.slice(0, 5).map(([name, rows]) => `${name}: ${rows}`);
  return shown.join(', ') + (tables.length > 5 ? `, and ${tables.length - 5} more tables` : '');
}

export interface MoveOutcome {
  databaseUrl: string;
  embeddedDir: string;
  locationFile: string;
  rows: Record<string, number>;
}

/**
 * Moves the hub's embedded store to an empty PostgreSQL database: migrates the target to the
 * store's schema version, copies every table in one transaction, checks the counts, migrates
 * the rest, and records the new location in the data folder. The embedded store is only read.
 */
export async function moveStore(
  hubDir: string,
  databaseUrl: string,
  progress: TableProgress,
): Promise<MoveOutcome> {
  const embeddedDir = embeddedStoreDir(hubDir);
  const moved = readMovedStore(hubDir);
  if (moved) {
    throw new ConfigError(
      `the store was moved to ${redactUrl(moved.databaseUrl)} already (${hubDir}/` +
        'store-location.json); remove that file first to move the embedded store again',
    );
  }
  const release = await refuseWhileHubRuns(hubDir, 'moving its store');
  let source: Store | null = null;
  let target: Store | null = null;
  try {
    if (!existsSync(join(embeddedDir, 'PG_VERSION'))) {
      throw new ConfigError(`there is no embedded store in ${embeddedDir} to move`);
    }
    source = await openPgliteStore(embeddedDir);
    target = await openPostgresStore(databaseUrl, 'strata-store-move');
    const strangers = await foreignTables(target);
    if (strangers.length > 0) {
      throw new ConfigError(
        `${target.location} holds tables that are not Strata's (${strangers.join(', ')}); ` +
          'a move goes only into an empty database of its own',
      );
    }
    const occupied = (await schemaVersion(target)) > 0 ? await tablesWithRows(target) : [];
    if (occupied.length > 0) {
      throw new ConfigError(
        `${target.location} holds data already (${describeRows(occupied)}); ` +
          'a move goes only into an empty database and never overwrites one',
      );
    }
    const { sourceVersion } = await checkVersions(source, target);
    if (sourceVersion === 0) throw new ConfigError(`the embedded store in ${embeddedDir} is empty`);

    await migrateUpTo(target, sourceVersion);
    const rows = await copyStoreRows(source, target, progress, (tx) =>
      recordChange(tx, {
        actor: 'console',
        action: 'store.move',
        subject: redactUrl(databaseUrl),
        detail: { from: embeddedDir },
      }),
    );
    await migrate(target);
    const locationFile = await writeMovedStore(hubDir, {
      databaseUrl,
      movedAt: new Date().toISOString(),
      embeddedDir,
    });
    return { databaseUrl: redactUrl(databaseUrl), embeddedDir, locationFile, rows };
  } finally {
    await target?.close().catch(() => undefined);
    await source?.close().catch(() => undefined);
    await release();
  }
}

/**
 * Writes a backup of `store` to `file` (mode 0600), through a temporary name so a failed
 * backup never leaves a file that looks whole; records it in the change log.
 */
export async function backupToFile(
  store: Store,
  file: string,
  actor: string,
  progress: TableProgress = () => undefined,
): Promise<BackupManifest> {
  const partial = `${file}.partial`;
  try {
    const manifest = await writeBackup(
      store,
      createWriteStream(partial, { mode: 0o600 }),
      progress,
    );
    await rename(partial, file);
    await recordBackup(store, actor, manifest, file);
    return manifest;
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/** The change log entry of a finished backup. */
export function recordBackup(
  store: Store,
  actor: string,
  manifest: BackupManifest,
  subject: string,
): Promise<void> {
  const rows = manifest.tables.reduce((sum, table) => sum + table.rows, 0);
  return recordChange(store, {
    actor,
    action: 'store.backup',
    subject,
    detail: { createdAt: manifest.createdAt, rows, sha256: manifest.sha256 },
  });
}

export interface RestoreRequest {
  hubDir: string;
  /** A PostgreSQL database; without one the hub's embedded store. */
  databaseUrl?: string;
  file: string;
  /** Replace a store that holds data. */
  force: boolean;
  progress: TableProgress;
  /** Said once the file is checked and before anything is replaced. */
  warn: (message: string) => void;
}

/**
 * Restores a backup into a stopped hub's store. The file is read and checked whole first
 * (format, schema version, checksum, counts); a store holding data is replaced only with
 * `force`. Loading is one transaction: a failure leaves the store as it was.
 */
export async function restoreStore(request: RestoreRequest): Promise<BackupManifest> {
  const manifest = await checkBackup(request.file);
  const known = await knownSchemaVersion();
  if (manifest.schemaVersion > known) {
    throw new BackupRefused(
      `${request.file} holds schema version ${manifest.schemaVersion}, newer than this ` +
        `Strata knows (${known}); restore it with the Strata version that wrote it`,
    );
  }

  const release = request.databaseUrl
    ? async () => undefined
    : await refuseWhileHubRuns(request.hubDir, 'restoring its store');
  let store: Store | null = null;
  try {
    store = request.databaseUrl
      ? await openPostgresStore(request.databaseUrl, 'strata-restore')
      : await openPgliteStore(embeddedStoreDir(request.hubDir));
    if (request.databaseUrl) await refuseWhileHubConnected(store, 'restoring its store');
    const occupied = (await schemaVersion(store)) > 0 ? await tablesWithRows(store) : [];
    if (occupied.length > 0 && !request.force) {
      throw new ConfigError(
        `${store.location} holds data (${describeRows(occupied)}); a restore goes into an ` +
          'empty store, or pass --force to replace everything in it with the backup',
      );
    }
    if (occupied.length > 0) {
      request.warn(
        `replacing everything in ${store.location} with the backup of ${manifest.createdAt}`,
      );
    }

    // Not yet: a store already newer than the backup gets the rows as they are, without the
    // data steps of the migrations in between (columns added since take their defaults).
    await migrateUpTo(store, manifest.schemaVersion);
    const target = store;
    const loading = target.transaction(async (tx) => {
      const tables = await storeTables(tx);
      await emptyTables(tx, tables);
      await loadBackup(request.file, tx, request.progress);
      await resetSequences(tx);
      const counts = await rowCounts(tx, tables);
      for (const { name, rows } of manifest.tables) {
        if (counts[name] !== rows) {
          throw new Error(`${name}: ${rows} rows in the backup, ${counts[name]} loaded`);
        }
      }
      // Written after the data is in, so the restored chain carries it as its newest entry.
      await recordChange(tx, {
        actor: 'console',
        action: 'store.restore',
        subject: request.file,
        detail: {
          createdAt: manifest.createdAt,
          siteId: manifest.siteId,
          schemaVersion: manifest.schemaVersion,
          replaced: occupied.length > 0,
        },
      });
    });
    // A row the store refuses (a file altered and its checksum made anew) rolls it all back.
    await loading.catch((error: unknown) => {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new ConfigError(
        `the backup could not be loaded (${reason}); the store was left as it was`,
      );
    });
    await migrate(target);
    return manifest;
  } finally {
    await store?.close().catch(() => undefined);
    await release();
  }
}
