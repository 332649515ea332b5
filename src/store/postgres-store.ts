import pg from 'pg';
import type { SqlParam, Store, Transaction } from './store.js';

/** Connections kept open to a PostgreSQL server by one process. */
const poolSize = 10;
const INT8_OID = 20;

// Byte counts and row counts are bigint columns; every figure Strata stores fits in 2^53.
pg.types.setTypeParser(INT8_OID, (text) => Number(text));

/** Opens a pool on a PostgreSQL server (`postgres://user@host:port/db`). */
export async function openPostgresStore(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // Fail at start, with the server's own message, instead of at the first request.
  const client = await pool.connect().catch((error: unknown) => {
    throw new Error(`cannot reach PostgreSQL at ${redactUrl(url)}: ${describe(error)}`, {
      cause: error,
    });
  });
  client.release();
  return new PostgresStore(pool, redactUrl(url));
}

class PostgresStore implements Store {
  readonly kind = 'postgres' as const;

  constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
  ) {}

  async query<Row extends object>(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    const result = await this.pool.query(sql, params as unknown[]);
    return result.rows as Row[];
  }

  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work({
        async query<Row extends object>(sql: string, params: readonly SqlParam[] = []) {
          return (await client.query(sql, params as unknown[])).rows as Row[];
        },
        async execScript(sql: string) {
          await client.query(sql);
        },
      });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async execScript(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The URL with any password replaced, safe for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
