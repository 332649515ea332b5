import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JobRunner } from '../../src/hub/jobs/job-runner.js';
import { partitionMaintenanceJob } from '../../src/hub/jobs/partition-maintenance.js';
import { storeCallbacks } from '../../src/intake/store-callbacks.js';
import { silentLogger } from '../../src/shared/logger.js';
import { loadMigrations, migrate } from '../../src/store/migrate.js';
import { openPgliteStore } from '../../src/store/pglite-store.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { dayMillis, dayOf } from '../../src/store/time-series.js';
import { realisticCallback, realisticRows } from '../support/realistic-callback.js';
import {
  addTestComponent,
  createTestDatabase,
  serverUrl,
  storeKind,
} from '../support/test-store.js';

const partitionsVersion = 17;

async function rowCount(store: Store, table: string): Promise<number> {
  const [row] = await store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return row!.n;
}

describe(`turning a store with rows into day partitions (${storeKind} store)`, () => {
  let store: Store;
  let cleanup: () => Promise<void>;

  before(async () => {
    if (serverUrl) {
      const database = await createTestDatabase();
      store = await openPostgresStore(database.url);
      cleanup = database.drop;
    } else {
      const dir = await mkdtemp(join(tmpdir(), 'strata-migration-'));
      store = await openPgliteStore(join(dir, 'store'));
      cleanup = () => rm(dir, { recursive: true, force: true });
    }
  });

  after(async () => {
    await store?.close();
    await cleanup?.();
  });

  it('keeps every row, keeps duplicates out, and the maintainer files the rows by day', async () => {
    const migrations = await loadMigrations();
    await migrate(
      store,
      migrations.filter((m) => m.version < partitionsVersion),
    );
    const agentId = await addTestComponent(store, 'agent');
    const nowMillis = Date.parse('2031-03-10T12:00:00Z');
    const callbacks = [3, 2, 1, 0].map((back) =>
      realisticCallback('desk-old', new Date(nowMillis - back * dayMillis)),
    );
    await storeCallbacks(
      store,
      callbacks.map((callback) => ({ agentId, callback })),
    );
    await store.query(
      `INSERT INTO network_flow_batches (batch_id, collector_id, created_at, records)
       VALUES (gen_random_uuid(), gen_random_uuid(), now(), 0)`,
    );

    const applied = await migrate(store, migrations);
    const kinds = await store.query<{ relname: string; relkind: string }>(
      `SELECT relname, relkind::text FROM pg_class WHERE relname IN ('callbacks', 'process_samples')
       ORDER BY relname`,
    );
    const resent = await storeCallbacks(store, [{ agentId, callback: callbacks[0]! }]);
    const runner = new JobRunner({
      store,
      jobs: [partitionMaintenanceJob()],
      log: silentLogger(),
      nowMillis: () => nowMillis,
    });
    await runner.runJobNow('partition-maintenance');

    assert.ok(applied.includes(partitionsVersion));
    assert.deepEqual(
      kinds.map((k) => k.relkind),
      ['p', 'p'],
    );
    assert.equal(resent.duplicates, 1);
    for (const [table, rows] of Object.entries(realisticRows)) {
      assert.equal(await rowCount(store, table), 4 * rows, table);
      assert.equal(await rowCount(store, `${table}_default`), 0, table);
      const day = dayOf(nowMillis - 3 * dayMillis).replaceAll('-', '');
      assert.equal(await rowCount(store, `${table}_p${day}`), rows, table);
    }
    assert.equal(await rowCount(store, 'network_flow_batches'), 1);
  });
});
