import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignInGuard } from './sign-in-guard.js';

const counters = () => ({ signInRefused: 0, signInLocked: 0, signInBusy: 0 });

describe('the sign-in guard', () => {
  it('locks a name out from an address after ten failures, for fifteen minutes', async () => {
    let now = 0;
    const counts = counters();
    const guard = new SignInGuard(counts, () => now);
    for (let attempt = 0; attempt < 10; attempt++) {
      assert.equal(
        (await guard.check('admin', '10.0.0.1', async () => null)).status,
        'bad_credentials',
      );
    }
    const locked = await guard.check('admin', '10.0.0.1', async () => 'person');
    assert.deepEqual(locked, { status: 'locked', retryAfterSeconds: 900 });
    // Another address, or another name, is not held up by that lockout.
    assert.equal((await guard.check('admin', '10.0.0.2', async () => 'person')).status, 'ok');
    assert.equal((await guard.check('ana', '10.0.0.1', async () => 'person')).status, 'ok');

    now += 15 * 60_000;
    assert.equal((await guard.check('admin', '10.0.0.1', async () => 'person')).status, 'ok');
    assert.deepEqual(counts, { signInRefused: 10, signInLocked: 1, signInBusy: 0 });
  });

  it('runs at most two checks at once and answers busy when too many wait', async () => {
    const counts = counters();
    const guard = new SignInGuard(counts);
    let running = 0;
    let most = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = async () => {
      running++;
      most = Math.max(most, running);
      await gate;
      running--;
      return 'person';
    };
    const checks = Array.from({ length: 40 }, (_, i) => guard.check(`p${i}`, 'a', slow));
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const verdicts = await Promise.all(checks);
    assert.equal(most, 2);
    assert.equal(verdicts.filter((verdict) => verdict.status === 'busy').length, 6);
    assert.equal(counts.signInBusy, 6);
  });
});
