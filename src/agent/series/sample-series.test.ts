import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  addTestComponent,
  createTestStore,
  storeKind,
  type TestStore,
} from '../../../test/support/test-store.js';
import { storeCallbacks } from '../../intake/store-callbacks.js';
import type { SeriesPoint } from '../../protocol/callback-series.js';
import { checkCallback } from '../../protocol/callback-validator.js';
import { collectMachineSample } from '../machine-sample.js';
import { SampleSeriesRecorder, summarise } from './sample-series.js';

const wait = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

/** Writes and syncs 4 MiB, so the disk has requests to count. */
async function writeToDisk(dir: string) {
  const file = await open(join(dir, `load-${randomUUID()}`), 'w');
  await file.write(Buffer.alloc(4 * 1_048_576, 1));
  await file.sync();
  await file.close();
}

describe('the sample series between callbacks', () => {
  it('summarises each figure with count, min, mean, max and the 95th percentile', () => {
    const points = Array.from({ length: 20 }, (_, i) => ({ cpuPercent: i + 1 }) as SeriesPoint);
    points.push({ cpuPercent: null } as SeriesPoint);
    assert.deepEqual(summarise(points, 'cpuPercent'), {
      ...{ count: 20, min: 1, mean: 10.5, max: 20, p95: 19 },
    });
    assert.equal(summarise(points, 'diskIops'), null);
  });

  it('leaves the oldest points out past the callback limit, but summarises them all', async () => {
    let at = 0;
    const recorder = new SampleSeriesRecorder({
      read: async () => ({
        ...{ atMillis: (at += 1_000), cpuTotalTicks: at, cpuUnusedTicks: at / 2 },
        ...{ runnableThreads: 1, memoryUsedBytes: at, majorFaults: 0, diskRequests: 0 },
        ...{ diskRequestMillis: 0, diskBusyMillis: new Map() },
      }),
    });
    for (let i = 0; i < 801; i++) await recorder.sample();
    const series = recorder.take()!;
    assert.equal(series.points.length, 720);
    assert.equal(recorder.pointsThinned, 80);
    assert.equal(series.summary.memoryUsedBytes?.count, 800);
    assert.equal(series.summary.memoryUsedBytes?.min, 2_000);
    assert.equal(recorder.take(), undefined, 'a take hands the points over once');
  });
});

describe('the sampling interval', () => {
  it('follows a changed interval at once while running, and the default when unset', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    let reads = 0;
    const recorder = new SampleSeriesRecorder({
      intervalSeconds: 60,
      read: async () => {
        reads += 1;
        throw new Error('no reading needed here');
      },
    });
    recorder.start();
    assert.equal(reads, 1, 'a reading at start');
    t.mock.timers.tick(30_000);
    assert.equal(reads, 1);
    recorder.setIntervalSeconds(5);
    t.mock.timers.tick(5_000);
    assert.equal(reads, 2, 'the new interval counts from the change');
    t.mock.timers.tick(25_000);
    assert.equal(reads, 7, 'and goes on');
    recorder.setIntervalSeconds(undefined);
    assert.equal(recorder.intervalSeconds, 15);
    recorder.stop();
    t.mock.timers.tick(60_000);
    assert.equal(reads, 7, 'a stopped recorder reads nothing');
    recorder.setIntervalSeconds(0.1);
    assert.equal(recorder.intervalSeconds, 1, 'never shorter than a second');
    assert.equal(recorder.running, false, 'a change does not start a stopped recorder');
  });
});

describe(`the sample series on this machine (${storeKind} store)`, () => {
  let test: TestStore;
  let dir: string;
  before(async () => {
    test = await createTestStore();
    dir = await mkdtemp(join(tmpdir(), 'strata-series-'));
  });
  after(async () => {
    await test?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('measures CPU, memory and disk between readings, and stores every point', async () => {
    const recorder = new SampleSeriesRecorder();
    for (let i = 0; i < 3; i++) {
      await recorder.sample();
      await writeToDisk(dir);
      await wait(300);
    }
    await recorder.sample();
    const sample = await collectMachineSample({ maxProcesses: 5, series: recorder });
    const points = sample.series!.points;
    assert.equal(points.length, 3);

    // free(1) counts used memory as total less available, as the series does.
    const free = execFileSync('free', ['-b'], { encoding: 'utf8' }).split('\n')[1]!.split(/\s+/);
    const freeUsed = Number(free[1]) - Number(free[6]);
    const used = points[points.length - 1]!.memoryUsedBytes!;
    assert.ok(Math.abs(used - freeUsed) < freeUsed * 0.1, `${used} against free's ${freeUsed}`);
    for (const point of points) {
      assert.ok(point.cpuPercent! >= 0 && point.cpuPercent! <= 100);
      assert.ok(point.diskIops! > 0, 'the writes between readings reached the disk');
      assert.ok(point.diskLatencyMillis! >= 0);
    }

    const callback = {
      ...sample,
      schema: 'strata.callback.v1' as const,
      callbackId: randomUUID(),
      agentVersion: '0.0.0-test',
    };
    assert.deepEqual(checkCallback(callback), { ok: true, callback });
    const agentId = await addTestComponent(test.store, 'agent');
    await storeCallbacks(test.store, [{ agentId, callback }]);
    const rows = await test.store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM machine_series_points WHERE callback_id = $1',
      [callback.callbackId],
    );
    assert.equal(rows[0]!.n, 3);
  });
});
