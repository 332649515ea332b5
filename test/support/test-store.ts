/**
 * Stores for tests: the embedded store, or a throw-away database on the PostgreSQL server
 * named by STRATA_TEST_DATABASE_URL. Every test gets its own empty, migrated store.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { cp, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadMigrations } from '../../src/store/migrate.js';
import { openStore } from '../../src/store/open-store.js';
import type { Queryable, Store } from '../../src/store/store.js';

export const serverUrl = process.env.STRATA_TEST_DATABASE_URL;
export const storeKind = serverUrl ? 'postgres' : 'embedded';

/** A fresh database on the test server; returns its URL and a function that drops it. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!serverUrl) throw new Error('STRATA_TEST_DATABASE_URL is not set');
  const name = `strata_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

// Making an embedded store from nothing takes seconds (initdb); copying a migrated one is fast.
let templateDir: Promise<string> | null = null;

async function embeddedTemplate(): Promise<string> {
  templateDir ??= (async () => {
    const migrations = await loadMigrations();
    const digest = createHash('sha256').update(JSON.stringify(migrations)).digest('hex');
    const dir = join(tmpdir(), `strata-store-template-${digest.slice(0, 16)}`);
    if (await exists(dir)) return dir;
    // Built aside and renamed into place, so parallel test files never see half a template.
    const building = `${dir}.${process.pid}`;
    await rm(building, { recursive: true, force: true });
    const store = await openStore({ embeddedDir: building });
    await store.close();
    await rename(building, dir).catch(() => rm(building, { recursive: true, force: true }));
    return dir;
  })();
  return templateDir;
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Places a migrated embedded store in `dir` (which must not exist yet). */
export async function seedEmbeddedStore(dir: string): Promise<void> {
  await cp(await embeddedTemplate(), dir, { recursive: true });
}

export interface TestStore {
  store: Store;
  /** Where it lives: a URL for PostgreSQL, a folder for the embedded store. */
  location: { databaseUrl?: string; embeddedDir: string };
  cleanup(): Promise<void>;
}

/** An empty, migrated store of the kind under test. */
export async function createTestStore(): Promise<TestStore> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-test-'));
  const embeddedDir = join(dir, 'store');
  if (serverUrl) {
    const database = await createTestDatabase();
    const store = await openStore({ databaseUrl: database.url, embeddedDir });
    return {
      store,
      location: { databaseUrl: database.url, embeddedDir },
      async cleanup() {
        await store.close();
        await database.drop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  await seedEmbeddedStore(embeddedDir);
  const store = await openStore({ embeddedDir });
  return {
    store,
    location: { embeddedDir },
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Registers a component row the way activation does, without the certificate work. */
export async function addTestComponent(
  db: Queryable,
  kind: 'agent' | 'collector',
  name = `test-${kind}`,
): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO components (id, kind, name, public_key_pem, certificate_pem, certificate_serial,
       certificate_not_after) VALUES ($1, $2, $3, 'key', 'cert', $4, now() + interval '1 day')`,
    [id, kind, name, id],
  );
  return id;
}
