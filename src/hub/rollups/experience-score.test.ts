import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bandOf,
  defaultThresholds,
  experienceScore,
  penaltyOf,
  thresholdsFrom,
} from './experience-score.js';
import {
  bucketOf,
  exactQuantile,
  histogramOf,
  histogramQuantile,
  mergeHistograms,
  relativeAccuracy,
} from './rollup-histogram.js';
import { isClosed, nextPeriod, periodOf } from './rollup-periods.js';

describe('experience score', () => {
  it('gives 100 when every input is within its threshold', () => {
    const score = experienceScore('machine', {
      cpuQueuePerCore: 0.5,
      memoryUsedPercent: 60,
      logonDurationMillis: 20_000,
    });
    assert.deepEqual([score!.score, score!.band, score!.pulledDownBy], [100, 'Good', []]);
  });

  it('costs an input its whole weight at twice its threshold, half of it halfway', () => {
    // Two inputs of weight 15: logon at 2x loses 15 of 30, app load halfway loses 7.5.
    const score = experienceScore('user', {
      logonDurationMillis: 60_000,
      applicationLoadMillis: 4_500,
    });
    // notRespondingPerDay (weight 10) counts as 0 when absent: 22.5 lost of 40.
    assert.equal(score!.score, 100 * (1 - 22.5 / 40));
    assert.equal(score!.band, 'Poor');
    assert.deepEqual(score!.pulledDownBy, ['logonDurationMillis', 'applicationLoadMillis']);
  });

  it('leaves out inputs without a value and inputs of other dimensions', () => {
    const score = experienceScore('application', { cpuQueuePerCore: 9, networkLatencyMillis: 150 });
    assert.deepEqual(
      score!.inputs.map((input) => input.name),
      ['notRespondingPerDay', 'networkLatencyMillis'],
    );
    assert.equal(score!.score, 100 * (1 - 7.5 / 25));
  });

  it('has no score without a measured input', () => {
    assert.equal(experienceScore('machine', {}), null);
    assert.equal(experienceScore('machine', { notRespondingPerDay: 3 }), null);
  });

  it('takes thresholds from a policy where it sets them', () => {
    const t = thresholdsFrom({ logonDurationMillis: 10_000, networkLatencyMillis: -1 });
    assert.equal(t.logonDurationMillis, 10_000);
    assert.equal(t.networkLatencyMillis, defaultThresholds.networkLatencyMillis);
    const score = experienceScore('user', { logonDurationMillis: 20_000 }, t);
    assert.deepEqual(score!.pulledDownBy, ['logonDurationMillis']);
  });

  it('bands from 80 and from 50, and steps where good and poor meet', () => {
    assert.deepEqual(
      [bandOf(80), bandOf(79.9), bandOf(50), bandOf(49.9)],
      ['Good', 'Fair', 'Fair', 'Poor'],
    );
    assert.deepEqual([penaltyOf(100, 100, 100), penaltyOf(101, 100, 100)], [0, 1]);
  });
});

describe('roll-up histogram', () => {
  it('reads quantiles within its relative error, merged or not', () => {
    let seed = 7;
    const next = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    const parts = [0, 1, 2].map(() => Array.from({ length: 500 }, () => next() ** 3 * 60_000));
    const all = parts.flat();
    const merged = mergeHistograms(parts.map(histogramOf));
    assert.deepEqual(merged, histogramOf(all));
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = exactQuantile(all, q)!;
      const read = histogramQuantile(merged, q)!;
      assert.ok(
        Math.abs(read - exact) <= relativeAccuracy * exact + 1e-9,
        `${q}: ${read} ${exact}`,
      );
    }
  });

  it('puts values below 0.01 in bucket 0, which reads as 0', () => {
    assert.deepEqual([bucketOf(0), bucketOf(0.009), bucketOf(0.01)], [0, 0, 1]);
    assert.equal(histogramQuantile(histogramOf([0, 0, 0]), 0.95), 0);
  });
});

describe('roll-up periods', () => {
  it('starts weeks on Monday and closes periods when the next begins', () => {
    assert.equal(periodOf('week', '2026-03-29'), '2026-03-23'); // a Sunday
    assert.equal(periodOf('week', '2026-03-30'), '2026-03-30'); // a Monday
    assert.equal(nextPeriod('month', '2026-12-01'), '2027-01-01');
    assert.equal(isClosed('day', '2026-03-29', '2026-03-29'), false);
    assert.equal(isClosed('week', '2026-03-23', '2026-03-30'), true);
  });
});
