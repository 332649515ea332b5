/**
 * Takes the store under test away and brings it back, for real: on PostgreSQL the test
 * database stops accepting connections and its sessions are ended; on the embedded store,
 * which only the hub can open, the hub itself stops and starts again on the same folder.
 */
import pg from 'pg';
import { startHub, type RunningHub } from '../../src/hub/hub.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { Store } from '../../src/store/store.js';
import type { TestHub } from './test-hub.js';
import { serverUrl } from './test-store.js';

export interface StoreOutage {
  goAway(): Promise<void>;
  comeBack(): Promise<void>;
  /** Stops whatever hub the outage started in place of the test hub. */
  close(): Promise<void>;
  /** The store of the hub started in place of the test hub, if there is one. */
  store(): Store | null;
}

export function storeOutage(hub: TestHub): StoreOutage {
  if (serverUrl && hub.databaseUrl) {
    const database = new URL(hub.databaseUrl).pathname.slice(1);
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    return {
      async goAway() {
        await admin(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
        await admin(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}'`,
        );
      },
      comeBack: () => admin(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`),
      close: async () => undefined,
      store: () => null,
    };
  }

  const port = Number(new URL(hub.url).port);
  let restarted: RunningHub | null = null;
  return {
    async goAway() {
      await (restarted ?? hub).close();
    },
    async comeBack() {
      restarted = await startHub({ dataDir: hub.dataDir, port, logger: silentLogger() });
    },
    async close() {
      await restarted?.close();
    },
    store: () => restarted?.context.store ?? null,
  };
}
