import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
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
import type { CallbackV1 } from '../../src/protocol/callback-schema.js';
import type { Store } from '../../src/store/store.js';
import { dayMillis, dayOf } from '../../src/store/time-series.js';
import { realisticCallback } from '../support/realistic-callback.js';
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

/** Rows each old callback has, per table. */
const oldRows = { callbacks: 1, machine_samples: 1, process_samples: 2, logon_events: 1 };

async function insertOldRows(
  store: Store,
  callback: CallbackV1,
  machineId: string,
  agentId: string,
) {
  const at = callback.sampledAt;
  const id = callback.callbackId;
  await store.query(
    `INSERT INTO callbacks (callback_id, machine_id, component_id, sampled_at, process_count)
     VALUES ($1, $2, $3, $4, 2)`,
    [id, machineId, agentId, at],
  );
  await store.query(
    `INSERT INTO machine_samples (machine_id, sampled_at, callback_id, cpu_percent,
       memory_total_bytes, memory_used_bytes, disk_total_bytes, disk_used_bytes)
     VALUES ($1, $2, $3, 12.5, 16e9, 8e9, 5e11, 2e11)`,
    [machineId, at, id],
  );
  await store.query(
    `INSERT INTO process_samples (machine_id, sampled_at, callback_id, pid, parent_pid, name,
       command, account, cpu_percent, memory_rss_bytes)
     SELECT $1, $2, $3, pid, 1, 'editor', 'editor --wait', 'ann@CORP', 1.5, 1e8
     FROM generate_series(100, 101) AS pid`,
    [machineId, at, id],
  );
  await store.query(
    `INSERT INTO logon_events (machine_id, callback_id, at, account, event, terminal,
       from_address) VALUES ($1, $2, $3, 'ann@CORP', 'logon', 'tty1', '')`,
    [machineId, id, at],
  );
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

  it('keeps every row, keeps duplicates out; the maintainer files the rows by day', async () => {
    const migrations = await loadMigrations();
    await migrate(
      store,
      migrations.filter((m) => m.version < partitionsVersion),
    );
    // Rows as intake wrote them before 0017, over four days.
    const agentId = await addTestComponent(store, 'agent');
    const machineId = randomUUID();
    await store.query(
      "INSERT INTO machines (id, agent_id, hostname, fqdn) VALUES ($1, $2, 'desk-old', 'desk-old')",
      [machineId, agentId],
    );
    const nowMillis = Date.parse('2031-03-10T12:00:00Z');
    const callbacks = [3, 2, 1, 0].map((back) =>
      realisticCallback('desk-old', new Date(nowMillis - back * dayMillis)),
    );
    for (const callback of callbacks) await insertOldRows(store, callback, machineId, agentId);
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
    for (const [table, rows] of Object.entries(oldRows)) {
      assert.equal(await rowCount(store, table), 4 * rows, table);
      assert.equal(await rowCount(store, `${table}_default`), 0, table);
      const day = dayOf(nowMillis - 3 * dayMillis).replaceAll('-', '');
      assert.equal(await rowCount(store, `${table}_p${day}`), rows, table);
    }
    assert.equal(await rowCount(store, 'network_flow_batches'), 1);
  });
});
