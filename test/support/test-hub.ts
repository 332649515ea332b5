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
  /**
   * Signs in as the first administrator, choosing `testAdminPassword` the first time (the
   * first password opens nothing else); returns the session cookie header value.
   */
  signInAsAdmin(): Promise<string>;
  /** Stops the hub and removes its data and database. */
  cleanup(): Promise<void>;
}

/** A call to a hub's API as the person whose session cookie is given, JSON body optional. */
export function sessionCall(url: string, cookie: string) {
  return (method: string, path: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: {
        cookie,
        'x-strata-request': '1',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
}

/** The administrator's password once signInAsAdmin has replaced the first one. */
export const testAdminPassword = 'the tests own administrator password';

/** `embedded`: on the embedded store whichever store is under test (for moving it elsewhere). */
export async function startTestHub(
  options: Partial<HubOptions> = {},
  { embedded = false } = {},
): Promise<TestHub> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'strata-hub-')));
  const database = serverUrl && !embedded ? await createTestDatabase() : null;
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
    // Making every day partition ahead costs seconds of the embedded store's time at each
    // start; rows wait in the DEFAULT partitions unless a test runs the jobs or asks for them.
    scheduledJobs: false,
    ...options,
    dataDir,
    databaseUrl: database?.url,
    logger: createLogger({ level: 'info', destination }),
  });
  const password = hub.firstAdministrator?.password;
  let adminPassword = password;

  return {
    ...hub,
    dataDir,
    databaseUrl: database?.url,
    logLines,
    async signInAsAdmin() {
      const call = (path: string, body: object, cookie = '') =>
        fetch(`${hub.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-strata-request': '1', cookie },
          body: JSON.stringify(body),
        });
      const cookieOf = (response: Response) =>
        (response.headers.get('set-cookie') ?? '').split(';')[0]!;
      // The first password opens only the password change: choose the tests' own once.
      let response = await call('/api/v1/session', { name: 'admin', password: adminPassword });
      if (response.status === 401 && adminPassword === password) {
        adminPassword = testAdminPassword;
        response = await call('/api/v1/session', { name: 'admin', password: adminPassword });
      }
      if (response.status !== 200) throw new Error(`sign-in failed: ${response.status}`);
      const { user } = (await response.json()) as { user: { mustChangePassword: boolean } };
      if (!user.mustChangePassword) return cookieOf(response);
      const changed = await call(
        '/api/v1/session/password',
        { currentPassword: adminPassword, newPassword: testAdminPassword },
        cookieOf(response),
      );
      if (changed.status !== 204) throw new Error(`password change failed: ${changed.status}`);
      adminPassword = testAdminPassword;
      return cookieOf(changed);
    },
    async cleanup() {
      await hub.close().catch(() => undefined);
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A request as the web UI makes it: the session cookie, the state-change header, JSON. */
export function sessionFetch(
  hubUrl: string,
  cookie: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  return sessionCall(hubUrl, cookie)(method, path, body);
}
