import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DeliveryBackoff,
  firstRetryDelayMillis,
  maxRetryAfterMillis,
  maxRetryDelayMillis,
  retryJitterRatio,
} from './delivery-backoff.js';

describe('the agent’s delivery back-off', () => {
  /** A back-off on a fake clock, with dice that always roll `roll`. */
  const arrange = (roll = 0.5) => {
    const clock = { nowMillis: 1_000_000 };
    const backoff = new DeliveryBackoff(
      () => clock.nowMillis,
      () => roll,
    );
    return { clock, backoff };
  };

  it('doubles the wait after each pass nobody answered, up to the ceiling', () => {
    const { backoff } = arrange(0.5); // the middle of the jitter: no jitter at all

    const waits = Array.from({ length: 8 }, () => backoff.failed(0));

    assert.deepEqual(waits, [
      firstRetryDelayMillis,
      firstRetryDelayMillis * 2,
      firstRetryDelayMillis * 4,
      firstRetryDelayMillis * 8,
      firstRetryDelayMillis * 16,
      maxRetryDelayMillis,
      maxRetryDelayMillis,
      maxRetryDelayMillis,
    ]);
  });

  it('keeps jitter within its share either way and never past the ceiling', () => {
    for (const roll of [0, 0.25, 0.999999]) {
      const { backoff } = arrange(roll);
      const first = backoff.failed(0);
      assert.ok(first >= firstRetryDelayMillis * (1 - retryJitterRatio), `${roll}: ${first}`);
      assert.ok(first <= firstRetryDelayMillis * (1 + retryJitterRatio), `${roll}: ${first}`);
      for (let i = 0; i < 10; i++) assert.ok(backoff.failed(0) <= maxRetryDelayMillis);
    }
    const low = arrange(0).backoff.failed(0);
    const high = arrange(0.999999).backoff.failed(0);
    assert.ok(high - low > firstRetryDelayMillis * retryJitterRatio, 'jitter moves the wait');
  });

  it('waits exactly as long as the receiver’s Retry-After asks', () => {
    const { clock, backoff } = arrange();
    backoff.failed(0);
    backoff.failed(0);

    const wait = backoff.failed(7_000);

    assert.equal(wait, 7_000);
    clock.nowMillis += 6_999;
    assert.equal(backoff.ready(), false);
    assert.equal(backoff.waitMillis(), 1);
    clock.nowMillis += 1;
    assert.equal(backoff.ready(), true);
  });

  it('holds an absurd Retry-After to its own ceiling', () => {
    const { backoff } = arrange();

    assert.equal(backoff.failed(30 * 24 * 60 * 60_000), maxRetryAfterMillis);
  });

  it('is not ready until the wait has passed on the clock', () => {
    const { clock, backoff } = arrange();
    assert.equal(backoff.ready(), true, 'ready before anything failed');

    const wait = backoff.failed(0);

    assert.equal(backoff.ready(), false);
    clock.nowMillis += wait - 1;
    assert.equal(backoff.ready(), false);
    clock.nowMillis += 1;
    assert.equal(backoff.ready(), true);
  });

  it('ends at once after a success and starts again from the first step', () => {
    const { backoff } = arrange();
    for (let i = 0; i < 6; i++) backoff.failed(0);

    backoff.succeeded();

    assert.equal(backoff.ready(), true);
    assert.equal(backoff.failedPasses, 0);
    assert.equal(backoff.failed(0), firstRetryDelayMillis);
  });

  it('starts from the first step when part of a backlog went before the receivers stopped', () => {
    const { backoff } = arrange();
    for (let i = 0; i < 6; i++) backoff.failed(0);

    const wait = backoff.failed(0, true);

    assert.equal(wait, firstRetryDelayMillis);
  });
});
