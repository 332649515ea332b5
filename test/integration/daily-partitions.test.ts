import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { JobRunner } from '../../src/hub/jobs/job-runner.js';
import { partitionMaintenanceJob } from '../../src/hub/jobs/partition-maintenance.js';
import { retentionJob } from '../../src/hub/jobs/retention-job.js';
import { detailRetentionRule } from '../../src/hub/retention/detail-retention.js';
import type { RetentionRule } from '../../src/hub/retention/retention-rules.js';
import { storeCallbacks } from '../../src/intake/store-callbacks.js';
import { silentLogger } from '../../src/shared/logger.js';
import { listDayPartitions } from '../../src/store/day-partitions.js';
import { classifyStoreError } from '../../src/store/store-errors.js';
import type { Queryable, Store } from '../../src/store/store.js';
import { addDays, dayMillis, dayOf, timeSeriesTables } from '../../src/store/time-series.js';
import {
  realisticCallback,
  realisticRows,
  realisticRowsPerCallback,
} from '../support/realistic-callback.js';
import {
  addTestComponent,
  createTestStore,
  storeKind,
  type TestStore,
} from '../support/test-store.js';

// A fixed clock in the middle of a UTC day; each test moves its own copy.
const startMillis = Date.parse('2031-03-10T12:00:00Z');
const today = dayOf(startMillis);

function jobRunner(store: Store, clock: { now: number }) {
  return new JobRunner({
    store,
    jobs: [partitionMaintenanceJob(), retentionJob(() => [detailRetentionRule()])],
    log: silentLogger(),
    nowMillis: () => clock.now,
  });
}

async function count(db: Queryable, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await db.query<Record<string, number>>(sql, params as string[]);
  return Number(Object.values(row!)[0]);
}

/** Partition names of a table, from the catalog (pg_inherits), sorted. */
async function partitionsOf(db: Queryable, table: string): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = $1::regclass ORDER BY 1`,
    [table],
  );
  return rows.map((row) => row.name);
}

async function storeAt(store: Store, agentId: string, millis: number, host = 'desk-1') {
  const callback = realisticCallback(host, new Date(millis));
  await storeCallbacks(store, [{ agentId, callback }]);
  return callback.callbackId;
}

describe(`day partitions and retention (${storeKind} store)`, () => {
  let test: TestStore;
  let agentId: string;

  before(async () => {
    test = await createTestStore();
    agentId = await addTestComponent(test.store, 'agent');
  });

  after(async () => {
    await test?.cleanup();
  });

  it('makes partitions for today and seven days ahead; a second run changes nothing', async () => {
    const clock = { now: startMillis };
    const runner = jobRunner(test.store, clock);

    const first = await runner.runJobNow('partition-maintenance');
    const again = await runner.runJobNow('partition-maintenance');

    assert.equal(first.kind === 'ran' && first.status, 'ok');
    const days = Array.from({ length: 8 }, (_, i) => addDays(today, i).replaceAll('-', ''));
    for (const series of timeSeriesTables) {
      assert.deepEqual(
        await partitionsOf(test.store, series.table),
        [`${series.table}_default`, ...days.map((day) => `${series.table}_p${day}`)],
        series.table,
      );
    }
    assert.equal(first.kind === 'ran' && first.status === 'ok' && first.result.created, 8 * 12);
    assert.equal(again.kind === 'ran' && again.status === 'ok' && again.result.created, 0);
  });

  it('keeps a row whose day has no partition, and files it by day at maintenance', async () => {
    const clock = { now: startMillis };
    const spooledAt = startMillis - 14 * dayMillis; // from an agent's offline spool
    const callbackId = await storeAt(test.store, agentId, spooledAt);
    const inDefault = await count(
      test.store,
      'SELECT count(*) FROM callbacks_default WHERE callback_id = $1',
      [callbackId],
    );

    await jobRunner(test.store, clock).runJobNow('partition-maintenance');

    assert.equal(inDefault, 1);
    const day = dayOf(spooledAt).replaceAll('-', '');
    for (const [table, rows] of Object.entries(realisticRows)) {
      const sql = `SELECT count(*) FROM ${table}_p${day} WHERE callback_id = $1`;
      assert.equal(await count(test.store, sql, [callbackId]), rows, table);
      assert.equal(await count(test.store, `SELECT count(*) FROM ${table}_default`), 0, table);
    }
    // The same callback sent again is still a duplicate, wherever its first copy lies.
    const resent = await storeCallbacks(test.store, [
      {
        agentId,
        callback: { ...realisticCallback('desk-1', new Date(spooledAt)), callbackId },
      },
    ]);
    assert.equal(resent.duplicates, 1);
  });

  it('moves rows out of the DEFAULT partition while other writers go on, losing none', async () => {
    const clock = { now: startMillis };
    const oldDays = [20, 21, 22, 23].map((back) => startMillis - back * dayMillis);
    const writes = oldDays.flatMap((millis, i) =>
      Array.from({ length: 3 }, (_, j) => ({ millis: millis + j * 60_000, host: `desk-${i}` })),
    );
    const before = await count(test.store, 'SELECT count(*) FROM callbacks');

    // Half the writes before, half during the maintainer's run.
    for (const write of writes.slice(0, 6)) await storeAt(test.store, agentId, write.millis);
    const runner = jobRunner(test.store, clock);
    await Promise.all([
      runner.runJobNow('partition-maintenance'),
      ...writes.slice(6).map((write) => storeAt(test.store, agentId, write.millis, write.host)),
    ]);
    await runner.runJobNow('partition-maintenance');

    assert.equal(await count(test.store, 'SELECT count(*) FROM callbacks'), before + writes.length);
    assert.equal(await count(test.store, 'SELECT count(*) FROM callbacks_default'), 0);
    for (const millis of oldDays) {
      const name = `process_samples_p${dayOf(millis).replaceAll('-', '')}`;
      assert.equal(await count(test.store, `SELECT count(*) FROM ${name}`), 3 * 60, name);
    }
  });

  it('calls a row refused as its DEFAULT partition became a day partition a conflict', async () => {
    // What a writer meets when a day partition is attached while its row was on the way to the
    // DEFAULT partition: intake tries such a batch again at once.
    const refused = await test.store
      .query(
        `INSERT INTO machine_samples_default (machine_id, sampled_at, callback_id, cpu_percent,
           memory_total_bytes, memory_used_bytes, disk_total_bytes, disk_used_bytes)
         VALUES (gen_random_uuid(), $1, gen_random_uuid(), 1, 1, 1, 1, 1)`,
        [new Date(startMillis).toISOString()],
      )
      .then(
        () => null,
        (error: unknown) => error,
      );

    assert.equal((refused as { code?: string }).code, '23514');
    assert.equal(classifyStoreError(refused), 'conflict');
  });

  it('drops whole day partitions past the days kept, keeping the later days rows', async () => {
    const clock = { now: startMillis - 5 * dayMillis };
    const kept = await storeAt(test.store, agentId, startMillis - 29 * dayMillis);
    await storeAt(test.store, agentId, startMillis - 31 * dayMillis);
    const runner = jobRunner(test.store, clock);
    await runner.runJobNow('partition-maintenance'); // five days ago, the old day was kept
    clock.now = startMillis;
    const oldDay = dayOf(startMillis - 31 * dayMillis).replaceAll('-', '');
    const hadOld = await partitionsOf(test.store, 'process_samples');

    const outcome = await runner.runJobNow('retention');

    assert.equal(outcome.kind === 'ran' && outcome.status, 'ok');
    assert.ok(hadOld.includes(`process_samples_p${oldDay}`));
    const left = await listDayPartitions(test.store);
    const firstKept = dayOf(startMillis - 30 * dayMillis);
    assert.ok(left.every((partition) => partition.day >= firstKept));
    assert.equal(left.filter((p) => p.day === addDays(today, 7)).length, 12);
    assert.equal(
      await count(test.store, `SELECT count(*) FROM pg_class WHERE relname = $1`, [
        `process_samples_p${oldDay}`,
      ]),
      0,
    );
    assert.equal(
      await count(test.store, 'SELECT count(*) FROM process_samples WHERE callback_id = $1', [
        kept,
      ]),
      60,
    );
    const [entry] = await test.store.query<{ actor: string; detail: Record<string, any> }>(
      "SELECT actor, detail FROM change_log WHERE action = 'retention.run' ORDER BY id DESC",
    );
    const removal = entry!.detail.removals[0];
    assert.equal(entry!.actor, 'system');
    assert.ok(removal.days.includes(dayOf(startMillis - 31 * dayMillis)));
    assert.ok(removal.tables.includes('process_samples'));
    assert.ok(removal.rowsEstimate >= 60 && removal.bytes > 0);
  });

  it('writes one change log entry per run that removed something, and none otherwise', async () => {
    const clock = { now: startMillis };
    const entries = () =>
      count(test.store, "SELECT count(*) FROM change_log WHERE action = 'retention.run'");
    const runner = jobRunner(test.store, clock);
    const atStart = await entries();
    await storeAt(test.store, agentId, startMillis - 40 * dayMillis);
    await storeAt(test.store, agentId, startMillis - 45 * dayMillis);

    await runner.runJobNow('retention');
    const afterRemoval = await entries();
    await runner.runJobNow('retention');

    assert.equal(afterRemoval, atStart + 1);
    assert.equal(await entries(), atStart + 1);
    const [entry] = await test.store.query<{ detail: Record<string, any> }>(
      "SELECT detail FROM change_log WHERE action = 'retention.run' ORDER BY id DESC",
    );
    // Rows that waited in the DEFAULT partitions are deleted by day, and counted exactly.
    assert.deepEqual(entry!.detail.removals[0].days, [
      dayOf(startMillis - 45 * dayMillis),
      dayOf(startMillis - 40 * dayMillis),
    ]);
    assert.equal(entry!.detail.removals[0].rowsEstimate, 2 * realisticRowsPerCallback);
  });

  it('drops the oldest days first to meet a storage ceiling, and never today', async () => {
    const clock = { now: startMillis };
    const runner = jobRunner(test.store, clock);
    for (const back of [3, 2, 1, 0])
      await storeAt(test.store, agentId, startMillis - back * dayMillis);
    await runner.runJobNow('partition-maintenance');
    const sizes = await listDayPartitions(test.store);
    const total = sizes.reduce((sum, p) => sum + p.bytes, 0) + (await defaultBytes(test.store));
    const oldest = sizes[0]!.day;
    const oldestBytes = sizes.filter((p) => p.day === oldest).reduce((s, p) => s + p.bytes, 0);
    await setRetention(test.store, { detailDays: 30, ceilingBytes: total - oldestBytes });

    await runner.runJobNow('retention');
    const afterFirst = await listDayPartitions(test.store);
    await setRetention(test.store, { detailDays: 30, ceilingBytes: 1 });
    await runner.runJobNow('retention');
    const afterSecond = await listDayPartitions(test.store);

    const daysOf = (list: typeof sizes) => [...new Set(list.map((p) => p.day))];
    assert.deepEqual(daysOf(afterFirst), daysOf(sizes).slice(1));
    assert.deepEqual(
      daysOf(afterSecond),
      Array.from({ length: 8 }, (_, i) => addDays(today, i)),
    );
    assert.equal(
      await count(test.store, 'SELECT count(*) FROM callbacks WHERE sampled_at = $1', [
        new Date(startMillis).toISOString(),
      ]),
      1,
    );
    const [entry] = await test.store.query<{ detail: Record<string, any> }>(
      "SELECT detail FROM change_log WHERE action = 'retention.run' ORDER BY id DESC",
    );
    assert.match(entry!.detail.removals[0].notes[0], /ceiling of 1 bytes not met/);
    await setRetention(test.store, { detailDays: 30, ceilingBytes: null });
  });

  it('runs rules other modules register, and never drops their data for the ceiling', async () => {
    const clock = { now: startMillis };
    await test.store.query('CREATE TABLE test_rollup_days (day date PRIMARY KEY)');
    await test.store.query(
      `INSERT INTO test_rollup_days SELECT d::date
       FROM generate_series(date '2030-01-01', date '2031-03-10', interval '1 day') AS d`,
    );
    const rollupRule: RetentionRule = {
      name: 'rollup-day',
      async run(store) {
        const gone = await store.query<{ day: string }>(
          `DELETE FROM test_rollup_days WHERE day < date '2030-03-01'
           RETURNING to_char(day, 'YYYY-MM-DD') AS day`,
        );
        return {
          rule: 'rollup-day',
          tables: ['test_rollup_days'],
          days: gone.map((row) => row.day).sort(),
          rowsEstimate: gone.length,
          bytes: 0,
        };
      },
    };
    await setRetention(test.store, { detailDays: 30, ceilingBytes: 1 });
    const runner = new JobRunner({
      store: test.store,
      jobs: [retentionJob(() => [detailRetentionRule(), rollupRule])],
      log: silentLogger(),
      nowMillis: () => clock.now,
    });

    await runner.runJobNow('retention');

    assert.equal(await count(test.store, 'SELECT count(*) FROM test_rollup_days'), 434 - 59);
    const [entry] = await test.store.query<{ detail: Record<string, any> }>(
      "SELECT detail FROM change_log WHERE action = 'retention.run' ORDER BY id DESC",
    );
    const rollup = entry!.detail.removals.find((r: { rule: string }) => r.rule === 'rollup-day');
    assert.equal(rollup.rowsEstimate, 59);
    await setRetention(test.store, { detailDays: 30, ceilingBytes: null });
  });
});

async function defaultBytes(db: Queryable): Promise<number> {
  return count(
    db,
    `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::float8 AS n FROM pg_class c
     WHERE c.relname = ANY($1::text[])`,
    [timeSeriesTables.map((series) => `${series.table}_default`)],
  );
}

// Straight into hub_settings: the tests need ceilings below what the API accepts.
async function setRetention(db: Queryable, value: object): Promise<void> {
  await db.query(
    `INSERT INTO hub_settings (key, value) VALUES ('retention', $1)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    [JSON.stringify(value)],
  );
}
