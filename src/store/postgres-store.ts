import pg from 'pg';
import { from as copyFromStdin, to as copyToStdout } from 'pg-copy-streams';
import { copyStatement } from './copy-text.js';
import { ConfigError } from '../shared/errors.js';
import type { SqlParam, Store, Transaction } from './store.js';

/** Connections kept open to a PostgreSQL server by one process. */
const poolSize = 10;
const INT8_OID = 20;

// Byte counts and row counts are bigint columns; every figure Strata stores fits in 2^53.
pg.types.setTypeParser(INT8_OID, (text) => Number(text));

/** Name a hub's connections carry, so a restore can tell that a hub still uses a database. */
export const hubApplicationName = 'strata-hub';

/**
 * Opens a pool on a PostgreSQL server (`postgres://user@host:port/db`); its connections show
 * `applicationName` in pg_stat_activity (default 'strata').
 */
export async function openPostgresStore(url: string, applicationName = 'strata'): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    application_name: applicationName,
  });
  // An idle connection the server ends (restart, pg_terminate_backend) is an event, not a
  // crash: the pool drops it and the next query opens a fresh one, or fails and says why.
  pool.on('error', () => undefined);
  // Fail at start, with the server's own message, instead of at the first request.
  const client = await pool.connect().catch(async (error: unknown) => {
    await pool.end().catch(() => undefined);
    // A configuration problem for the person starting Strata, not a bug: no stack trace.
    throw new ConfigError(`cannot reach PostgreSQL at ${redactUrl(url)}: ${describe(error)}`);
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
    // A connection the server ends mid-transaction reports it here as well as to the query
    // under way; the query's failure is what counts, this copy must not crash the process.
    const ignoreError = () => undefined;
    client.on('error', ignoreError);
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work({
        async query<Row extends object>(sql: string, params: readonly SqlParam[] = []) {
          return (await client.query(sql, params as unknown[])).rows as Row[];
        },
        async execScript(sql: string) {
          await client.query(sql);
        },
        async copyFrom(table: string, columns: readonly string[], text: string) {
          const stream = client.query(copyFromStdin(copyStatement(table, columns, 'STDIN')));
          await new Promise<void>((resolve, reject) => {
            stream.once('finish', resolve);
            stream.on('error', reject); // a broken connection may report more than once
            stream.end(text);
          });
        },
        async copyOut(select: string) {
          const stream = client.query(copyToStdout(`COPY (${select}) TO STDOUT`));
          const chunks: Buffer[] = [];
          for await (const chunk of stream) chunks.push(chunk as Buffer);
          return Buffer.concat(chunks).toString('utf8');
        },
      });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A connection that cannot even roll back is broken: the pool must not hand it out again.
      broken = !(await client.query('ROLLBACK').then(
        () => true,
        () => false,
      ));
      throw error;
    } finally {
      client.off('error', ignoreError);
      client.release(broken);
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
