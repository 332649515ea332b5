import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { advisoryLocks } from './advisory-locks.js';
import type { Store } from './store.js';

/** Folder of versioned migrations: `NNNN_name.sql`, applied once each, in order. */
export const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Reads the migration files, sorted by version. */
export async function loadMigrations(dir = migrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file));
  const migrations = await Promise.all(
    files.map(async (file) => ({
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      sql: await readFile(new URL(file, `file://${dir}/`), 'utf8'),
    })),
  );
  return migrations.sort((a, b) => a.version - b.version);
}

/** Brings the store's schema up to date; returns the versions it applied. */
export async function migrate(store: Store, migrations?: Migration[]): Promise<number[]> {
  const pending = migrations ?? (await loadMigrations());
  await store.execScript(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);

  const applied: number[] = [];
  for (const migration of pending) {
    const ran = await store.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [advisoryLocks.migrations]);
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [
        migration.version,
      ]);
      if (done.length > 0) return false;
      await tx.execScript(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}
