import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { JobRunner, type ScheduledJob } from '../../src/hub/jobs/job-runner.js';
import { listJobStates } from '../../src/hub/jobs/job-table.js';
import { silentLogger } from '../../src/shared/logger.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { createTestStore, storeKind, type TestStore } from '../support/test-store.js';

const hourMillis = 3_600_000;

/** A job that counts its runs in a table, so the count is what the store saw. */
function countingJob(name: string, work?: () => Promise<void>): ScheduledJob {
  return {
    name,
    intervalMillis: hourMillis,
    async run({ store }) {
      await work?.();
      await store.query(
        `INSERT INTO hub_settings (key, value) VALUES ($1, '1')
         ON CONFLICT (key) DO UPDATE SET value = to_jsonb(hub_settings.value::text::int + 1)`,
        [`test-runs-${name}`],
      );
      return { counted: true };
    },
  };
}

async function runsCounted(store: Store, name: string): Promise<number> {
  const rows = await store.query<{ value: number }>(
    'SELECT value FROM hub_settings WHERE key = $1',
    [`test-runs-${name}`],
  );
  return Number(rows[0]?.value ?? 0);
}

describe(`scheduled jobs over several hubs (${storeKind} store)`, () => {
  let test: TestStore;
  // The second hub's own connection to the same store (a pool of its own on PostgreSQL; the
  // embedded store can be opened by one process only, so both runners share it there).
  let second: Store;
  const clock = { now: Date.parse('2031-03-10T12:00:00Z') };
  const runnerOn = (store: Store, jobs: ScheduledJob[]) =>
    new JobRunner({ store, jobs, log: silentLogger(), nowMillis: () => clock.now });

  before(async () => {
    test = await createTestStore();
    second = test.location.databaseUrl ? await openStore(test.location) : test.store;
  });

  after(async () => {
    if (second !== test?.store) await second?.close();
    await test?.cleanup();
  });

  it('runs a job once per period however many hubs look for due jobs at once', async () => {
    const hubs = [runnerOn(test.store, [countingJob('a')]), runnerOn(second, [countingJob('a')])];

    const firstPeriod = await Promise.all(hubs.map((hub) => hub.runDueJobs()));
    const samePeriod = await Promise.all(hubs.map((hub) => hub.runDueJobs()));
    clock.now += hourMillis;
    const nextPeriod = await Promise.all(hubs.map((hub) => hub.runDueJobs()));

    assert.equal(firstPeriod.flat().filter((o) => o.kind === 'ran').length, 1);
    assert.ok(samePeriod.flat().every((o) => o.kind === 'skipped' && o.reason === 'not_due'));
    assert.equal(nextPeriod.flat().filter((o) => o.kind === 'ran').length, 1);
    assert.equal(await runsCounted(test.store, 'a'), 2);
    const [state] = await listJobStates(test.store, clock.now);
    assert.equal(state!.runs, 2);
    assert.equal(state!.lastOutcome, 'ok');
  });

  it('keeps other hubs off a run under way, and records a failure with its error', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const failing: ScheduledJob = {
      name: 'b',
      intervalMillis: hourMillis,
      async run() {
        await held;
        throw new Error('the disk is full');
      },
    };
    const first = runnerOn(test.store, [failing]);
    const other = runnerOn(second, [countingJob('b')]);

    const running = first.runJobNow('b');
    await waitForLease(test.store, 'b');
    const meanwhile = await other.runJobNow('b');
    release();
    const outcome = await running;

    assert.deepEqual(meanwhile, { kind: 'skipped', name: 'b', reason: 'running_elsewhere' });
    assert.equal(outcome.kind === 'ran' && outcome.status, 'failed');
    const state = (await listJobStates(test.store, clock.now)).find((job) => job.name === 'b')!;
    assert.deepEqual(
      [state.runs, state.failures, state.lastOutcome, state.lastError, state.running],
      [1, 1, 'failed', 'the disk is full', false],
    );
    assert.equal(await runsCounted(test.store, 'b'), 0);
  });

  it('runs an overdue job at start, after the hubs were down for a while', async () => {
    const before = runnerOn(test.store, [countingJob('c')]);
    await before.runDueJobs();
    clock.now += 5 * hourMillis; // every hub down for five hours

    const restarted = runnerOn(second, [countingJob('c')]);
    restarted.start();
    await restarted.stop(); // waits for the run started at once

    assert.equal(await runsCounted(test.store, 'c'), 2);
  });

  it('lets another hub run a job whose hub died mid-run, once its lease has expired', async () => {
    const dead = runnerOn(test.store, [countingJob('d', () => new Promise(() => undefined))]);
    void dead.runJobNow('d'); // never finishes: the hub died
    await waitForLease(test.store, 'd');
    const other = runnerOn(second, [countingJob('d')]);

    const whileLeased = await other.runJobNow('d');
    clock.now += 11 * 60_000; // past the ten-minute lease
    const afterExpiry = await other.runJobNow('d');

    assert.equal(whileLeased.kind, 'skipped');
    assert.equal(afterExpiry.kind === 'ran' && afterExpiry.status, 'ok');
    assert.equal(await runsCounted(test.store, 'd'), 1);
  });
});

async function waitForLease(store: Store, name: string): Promise<void> {
  for (;;) {
    const rows = await store.query(
      'SELECT 1 FROM scheduled_jobs WHERE name = $1 AND lease_owner IS NOT NULL',
      [name],
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
