// Tests that need something of the machine (root, a kernel feature, a native binding) skip
// where it is missing, so a developer without it can still run the rest. In CI the machine is
// set up by .ci/run to have all of it, so a missing part is a failure there, never a skip.
import assert from 'node:assert/strict';
import { test } from 'node:test';

/**
 * The `skip` option for a suite that needs what `missing` names: false when nothing is
 * missing; the reason otherwise, and under CI=true a failing test that says what is missing.
 */
export function skipUnlessProvided(missing: string | null | false): string | false {
  if (!missing) return false;
  if (process.env.CI) {
    test(`this machine provides what the tests need (${missing})`, () => {
      assert.fail(`CI must provide this; see .ci/run: ${missing}`);
    });
  }
  return missing;
}
