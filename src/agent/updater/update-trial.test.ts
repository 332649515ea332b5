import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  failedVersions,
  installBundle,
  loadPending,
  maxStartAttempts,
  savePending,
} from './bundle-swap.js';
import { beginStart, confirmStart } from './update-trial.js';

const oldBundle = Buffer.from('// version 1.0.0\n');
const newBundle = Buffer.from('// version 1.1.0, a little longer\n');

describe('an installed agent version on trial', () => {
  let dataDir: string;
  let bundlePath: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'strata-trial-'));
    bundlePath = join(dataDir, 'strata-agent.mjs');
    await writeFile(bundlePath, oldBundle, { mode: 0o755 });
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const install = () =>
    installBundle({
      ...{ dataDir, bundlePath, bundle: newBundle },
      ...{ version: '1.1.0', runningVersion: '1.0.0' },
    });

  it('is rolled back after it started too often without staying up, and not retried', async () => {
    await install();

    for (let start = 1; start <= maxStartAttempts; start++) {
      const trial = await beginStart(dataDir, '1.1.0');
      assert.equal(trial.status, 'on_trial');
      assert.equal(trial.status === 'on_trial' && trial.pending.startAttempts, start);
    }
    const last = await beginStart(dataDir, '1.1.0');

    assert.equal(last.status, 'rolled_back');
    assert.deepEqual(await readFile(bundlePath), oldBundle);
    assert.equal(await loadPending(dataDir), null);
    assert.deepEqual([...(await failedVersions(dataDir))], ['1.1.0']);
  });

  it('is kept once confirmed, with the previous bundle still beside it', async () => {
    await install();

    assert.equal((await beginStart(dataDir, '1.1.0')).status, 'on_trial');
    await confirmStart(dataDir);

    assert.equal((await beginStart(dataDir, '1.1.0')).status, 'none');
    assert.deepEqual(await readFile(bundlePath), newBundle);
    assert.deepEqual(await readFile(`${bundlePath}.previous`), oldBundle);
    assert.equal((await failedVersions(dataDir)).size, 0);
  });

  it('is forgotten when the swap never happened (a crash before the rename)', async () => {
    const installed = await install();
    assert.equal(installed.status, 'installed');
    // The state a power loss leaves between writing the record and renaming the bundle.
    await writeFile(bundlePath, oldBundle);
    if (installed.status === 'installed') await savePending(dataDir, installed.pending);

    const trial = await beginStart(dataDir, '1.0.0');

    assert.equal(trial.status, 'stale');
    assert.equal(await loadPending(dataDir), null);
    assert.equal((await failedVersions(dataDir)).size, 0);
  });

  it('is never installed again once the previous bundle was put back by hand', async () => {
    const installed = await install();
    assert.equal(installed.status, 'installed');
    // What `mv strata-agent.mjs.previous strata-agent.mjs` leaves.
    if (installed.status === 'installed') {
      await writeFile(bundlePath, oldBundle);
      await rm(installed.pending.previousPath);
    }

    const trial = await beginStart(dataDir, '1.0.0');

    assert.equal(trial.status, 'stale');
    assert.equal(await loadPending(dataDir), null);
    assert.deepEqual([...(await failedVersions(dataDir))], ['1.1.0']);
  });

  it('is kept but not installed again when it reports another version', async () => {
    await install();

    const trial = await beginStart(dataDir, '1.0.0');

    assert.equal(trial.status, 'mislabelled');
    assert.deepEqual(await readFile(bundlePath), newBundle);
    assert.deepEqual([...(await failedVersions(dataDir))], ['1.1.0']);
  });
});
