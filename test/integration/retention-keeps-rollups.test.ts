/**
 * Retention drops the detail of old days, by age and by the storage ceiling, and the roll-ups
 * built from that detail stay as they were: the day's figures outlive its rows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { JobRunner } from '../../src/hub/jobs/job-runner.js';
import { partitionMaintenanceJob } from '../../src/hub/jobs/partition-maintenance.js';
import { retentionJob } from '../../src/hub/jobs/retention-job.js';
import { detailRetentionRule } from '../../src/hub/retention/detail-retention.js';
import { changeRetentionSettings } from '../../src/hub/retention/retention-settings.js';
import { rollupJob, rollupRetentionRule } from '../../src/hub/rollups/rollup-job.js';
import { storeCallbacks } from '../../src/intake/store-callbacks.js';
import { silentLogger } from '../../src/shared/logger.js';
import { listDayPartitions } from '../../src/store/day-partitions.js';
import { dayMillis, dayOf } from '../../src/store/time-series.js';
import { realisticCallback } from '../support/realistic-callback.js';
import {
  addTestComponent,
  createTestStore,
  storeKind,
  type TestStore,
} from '../support/test-store.js';

const startMillis = Date.parse('2031-05-20T12:00:00Z');

describe(`retention and roll-ups (${storeKind} store)`, () => {
  let test: TestStore;
  const clock = { now: startMillis };
  let runner: JobRunner;

  before(async () => {
    test = await createTestStore();
    runner = new JobRunner({
      store: test.store,
      jobs: [
        partitionMaintenanceJob(),
        retentionJob(() => [detailRetentionRule(), rollupRetentionRule()]),
        rollupJob(),
      ],
      log: silentLogger(),
      nowMillis: () => clock.now,
    });
  });
  after(async () => {
    await test?.cleanup();
  });

  const rollupFigures = () =>
    test.store.query<{ period: string; metric: string; count: string; sum: string }>(
      `SELECT period_start::text AS period, metric, count::text, sum::text FROM rollups
       WHERE level = 'day' AND dimension = 'machine' ORDER BY 1, 2`,
    );

  it('keeps the day roll-ups when the detail goes, by age and by the ceiling', async () => {
    const agentId = await addTestComponent(test.store, 'agent');
    // Six hourly callbacks on each of the 40 to 36 days before the clock.
    for (let back = 40; back >= 36; back--) {
      for (let hour = 0; hour < 6; hour++) {
        const at = new Date(startMillis - back * dayMillis - 6 * 3_600_000 + hour * 3_600_000);
        await storeCallbacks(test.store, [{ agentId, callback: realisticCallback('desk-1', at) }]);
      }
    }
    clock.now = startMillis - 35 * dayMillis; // the days were kept when they were built
    await runner.runJobNow('partition-maintenance');
    await runner.runJobNow('rollups');
    const built = await rollupFigures();
    const days = [...new Set(built.map((row) => row.period))];
    assert.equal(days.length, 5, 'one roll-up day per day of detail');

    clock.now = startMillis;
    const outcome = await runner.runJobNow('retention');
    assert.equal(outcome.kind === 'ran' && outcome.status, 'ok', JSON.stringify(outcome));
    const left = await listDayPartitions(test.store);
    const firstKept = dayOf(startMillis - 30 * dayMillis);
    assert.ok(
      left.every((partition) => partition.day >= firstKept),
      'old days dropped',
    );
    const [detail] = await test.store.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM machine_samples',
    );
    assert.equal(detail!.n, 0, 'no detail left of those days');
    assert.deepEqual(await rollupFigures(), built, 'the roll-ups are unchanged');

    await changeRetentionSettings(test.store, { ceilingBytes: 1_048_576 }, 'test');
    await runner.runJobNow('retention');
    assert.deepEqual(await rollupFigures(), built, 'the ceiling leaves roll-ups alone too');
  });
});
