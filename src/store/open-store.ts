import { migrate } from './migrate.js';
import { openPgliteStore } from './pglite-store.js';
import { openPostgresStore } from './postgres-store.js';
import type { Store } from './store.js';

export interface StoreLocation {
  /** A PostgreSQL server (`postgres://...`); when absent the embedded store is used. */
  databaseUrl?: string;
  /** Folder of the embedded store. */
  embeddedDir: string;
  /** Set by a hub: its PostgreSQL connections say so (see hubApplicationName). */
  applicationName?: string;
}

/** Opens the configured store and brings its schema up to date. */
export async function openStore(location: StoreLocation): Promise<Store> {
  const store = location.databaseUrl
    ? await openPostgresStore(location.databaseUrl, location.applicationName)
    : await openPgliteStore(location.embeddedDir);
  try {
    await migrate(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
