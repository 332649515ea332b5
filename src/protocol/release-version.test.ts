import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareVersions, isReleaseVersion } from './release-version.js';

describe('release versions', () => {
  it('orders versions by their numbers, not as text', () => {
    const sorted = ['0.10.0', '0.9.1', '1.0.0', '0.9.10', '0.1.0'].sort(compareVersions);
    assert.deepEqual(sorted, ['0.1.0', '0.9.1', '0.9.10', '0.10.0', '1.0.0']);
  });

  it('puts a pre-release before its release, and orders pre-releases field by field', () => {
    const sorted = ['1.0.0', '1.0.0-rc.10', '1.0.0-alpha', '1.0.0-rc.2', '1.0.0-alpha.1'].sort(
      compareVersions,
    );
    assert.deepEqual(sorted, [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-rc.2',
      '1.0.0-rc.10',
      '1.0.0',
    ]);
    assert.equal(compareVersions('2.3.4', '2.3.4'), 0);
  });

  it('accepts only major.minor.patch with an optional pre-release', () => {
    assert.equal(isReleaseVersion('1.2.3'), true);
    assert.equal(isReleaseVersion('1.2.3-rc.1'), true);
    for (const bad of ['1.2', 'v1.2.3', '1.2.3 ', '1.2.3+build', '../1.2.3', ''])
      assert.equal(isReleaseVersion(bad), false, bad);
  });
});
