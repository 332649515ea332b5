import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestStore, storeKind, type TestStore } from '../../test/support/test-store.js';
import { loadMigrations, migrate } from './migrate.js';
import { openStore } from './open-store.js';

describe(`the store (${storeKind})`, () => {
  let test: TestStore;

  before(async () => {
    test = await createTestStore();
  });

  after(async () => {
    await test?.cleanup();
  });

  it('records every migration once and applies nothing on a second run', async () => {
    const migrations = await loadMigrations();
    const rows = await test.store.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    assert.deepEqual(
      rows.map((row) => row.version),
      migrations.map((migration) => migration.version),
    );
    assert.deepEqual(await migrate(test.store), []);
  });

  it('returns bigint columns as numbers and jsonb as objects', async () => {
    const [row] = await test.store.query<{ big: number; doc: { a: number } }>(
      'SELECT 25276203008::bigint AS big, $1::text::jsonb AS doc',
      [JSON.stringify({ a: 1 })],
    );
    assert.equal(row!.big, 25_276_203_008);
    assert.deepEqual(row!.doc, { a: 1 });
  });

  it('rolls a transaction back whole when its work throws', async () => {
    await assert.rejects(
      test.store.transaction(async (tx) => {
        await tx.query("INSERT INTO hub_settings (key, value) VALUES ('rollback-test', '1')");
        throw new Error('stop here');
      }),
      /stop here/,
    );
    const rows = await test.store.query("SELECT 1 FROM hub_settings WHERE key = 'rollback-test'");
    assert.equal(rows.length, 0);
  });

  it(
    'lets two processes migrate one PostgreSQL database at once without a clash',
    {
      skip: storeKind === 'embedded' ? 'the embedded store has a single owner' : false,
    },
    async () => {
      const url = test.location.databaseUrl!;
      // The schema is already there; racing two more runs must leave exactly one row per version.
      const [a, b] = await Promise.all([
        openStore({ databaseUrl: url, embeddedDir: '' }),
        openStore({ databaseUrl: url, embeddedDir: '' }),
      ]);
      await Promise.all([a.close(), b.close()]);
      const [counts] = await test.store.query<{ n: number; d: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT version)::int AS d FROM schema_migrations',
      );
      assert.equal(counts!.n, counts!.d);
    },
  );
});
