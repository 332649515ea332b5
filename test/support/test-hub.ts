/**
 * A real hub for tests, on the store under test (embedded, or a throw-away PostgreSQL
 * database), listening on a free loopback port, with its log captured.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startHub, type HubOptions, type RunningHub } from '../../src/hub/hub.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestDatabase, seedEmbeddedStore, serverUrl } from './test-store.js';

export interface TestHub extends RunningHub {
  dataDir: string;
  databaseUrl?: string;
  /** Every log line the hub wrote, parsed. */
  logLines: Array<Record<string, unknown>>;
  /** Signs in as the first administrator; returns the session cookie header value. */
  signInAsAdmin(): Promise<string>;
  /** Stops the hub and removes its data and database. */
  cleanup(): Promise<void>;
}

export async function startTestHub(options: Partial<HubOptions> = {}): Promise<TestHub> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'strata-hub-')));
  const database = serverUrl ? await createTestDatabase() : null;
  if (!database) await seedEmbeddedStore(join(dataDir, 'store'));

  const logLines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) logLines.push(JSON.parse(line));
      done();
    },
  });
  const hub = await startHub({
    port: 0,
    callbackIntervalSeconds: 10,
    ...options,
    dataDir,
    databaseUrl: database?.url,
    logger: createLogger({ level: 'info', destination }),
  });
  const password = hub.firstAdministrator?.password;

  return {
    ...hub,
    dataDir,
    databaseUrl: database?.url,
    logLines,
    async signInAsAdmin() {
      const response = await fetch(`${hub.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-strata-request': '1' },
        body: JSON.stringify({ name: 'admin', password }),
      });
      if (response.status !== 200) throw new Error(`sign-in failed: ${response.status}`);
      return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
    },
    async cleanup() {
      await hub.close().catch(() => undefined);
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
