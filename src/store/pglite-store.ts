import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction as PgliteTransaction } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { copyStatement } from './copy-text.js';
import type { SqlParam, Store, Transaction } from './store.js';

/**
 * The embedded store: PostgreSQL compiled to WebAssembly, kept in a data folder.
 * Only one process may open a folder at a time; the hub holds a lock file for that.
 */
export async function openPgliteStore(dataDir: string): Promise<Store> {
  await mkdir(dataDir, { recursive: true });
  // Trigram indexes make searching for part of a name an index look-up (see migration 0019).
  const db = await PGlite.create(dataDir, { extensions: { pg_trgm } });
  return new PgliteStore(db, dataDir);
}

class PgliteStore implements Store {
  readonly kind = 'embedded' as const;

  constructor(
    private readonly db: PGlite,
    readonly location: string,
  ) {}

  async query<Row extends object>(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    const result = await this.db.query<Row>(sql, params as unknown[]);
    return result.rows;
  }

  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work(wrapTransaction(tx)));
  }

  async execScript(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}

function wrapTransaction(tx: PgliteTransaction): Transaction {
  return {
    async query<Row extends object>(sql: string, params: readonly SqlParam[] = []) {
      return (await tx.query<Row>(sql, params as unknown[])).rows;
    },
    async execScript(sql: string) {
      await tx.exec(sql);
    },
    async copyFrom(table: string, columns: readonly string[], text: string) {
      // PGlite reads COPY input from a blob it exposes as the file /dev/blob.
      await tx.query(copyStatement(table, columns, "'/dev/blob'"), [], {
        blob: new Blob([text]),
      });
    },
  };
}
