import { openPostgresStore } from '../../store/postgres-store.js';
import type { Store } from '../../store/store.js';

/** The schema version this collector writes; the hub migrates, the collector only checks. */
const requiredSchemaVersion = 2;

/**
 * The collector's connection to a PostgreSQL store, opened on first use and not before: a
 * collector must start and take callbacks into its queue while the store is still away.
 */
export class StoreConnection {
  private store: Store | null = null;
  private opening: Promise<Store> | null = null;

  constructor(private readonly databaseUrl: string) {}

  /** The open store; throws (a failure to classify as unavailable) while it cannot be had. */
  async current(): Promise<Store> {
    if (this.store) return this.store;
    this.opening ??= this.open().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  async close(): Promise<void> {
    await this.opening?.catch(() => undefined);
    await this.store?.close();
    this.store = null;
  }

  private async open(): Promise<Store> {
    const store = await openPostgresStore(this.databaseUrl);
    const rows = await store
      .query<{ version: number }>('SELECT max(version)::int AS version FROM schema_migrations')
      .catch(() => [{ version: 0 }]);
    if ((rows[0]?.version ?? 0) < requiredSchemaVersion) {
      await store.close();
      // Retried like an outage: the hub may be migrating right now.
      throw Object.assign(
        new Error('the store’s schema is older than this collector; start the hub'),
        {
          code: '57P03',
        },
      );
    }
    this.store = store;
    return store;
  }
}
