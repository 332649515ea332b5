/**
 * `strata admin agent-release` as an administrator runs it at a shell on the hub: through the
 * control socket of a running hub, and straight into the store with the hub stopped.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { newerRelease } from '../../src/hub/agent-releases.js';
import { createKeyPair } from '../../src/protocol/key-pair.js';
import { openSignedManifest } from '../../src/protocol/release-manifest.js';
import { openStore } from '../../src/store/open-store.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cliMain = join(repoRoot, 'src/cli/main.ts');

describe(`strata admin agent-release (${storeKind} store)`, () => {
  let baseDir: string;
  let hub: TestHub;
  let bundleFile: string;
  let caCertificatePem: string;

  before(async () => {
    baseDir = await mkdtemp(join(tmpdir(), 'strata-release-cli-'));
    await mkdir(join(baseDir, 'hub'), { mode: 0o700 });
    hub = await startTestHub({ dataDir: join(baseDir, 'hub') });
    caCertificatePem = hub.context.identity.ca.certificatePem;
    bundleFile = join(baseDir, 'strata-agent.mjs');
    await writeFile(bundleFile, '// an agent bundle, version 0.2.0\n');
  });

  after(async () => {
    await hub?.close().catch(() => undefined);
    await hub?.cleanup();
    await rm(baseDir, { recursive: true, force: true });
  });

  const run = (...args: string[]) => {
    const store = hub.databaseUrl ? ['--database-url', hub.databaseUrl] : [];
    return promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', cliMain, ...args, '--data-dir', baseDir, ...store],
      { cwd: repoRoot, env: { ...process.env, DATABASE_URL: '', STRATA_CONFIG: '' } },
    );
  };
  const strata = async (...args: string[]) => JSON.parse((await run(...args)).stdout) as unknown;

  it('publishes a bundle with a manifest the site CA signed, while the hub runs', async () => {
    const published = (await strata(
      ...['admin', 'agent-release', 'publish', bundleFile, '--version', '0.2.0'],
    )) as { status: string; version: string; sizeBytes: number };

    assert.equal(published.status, 'published');
    assert.equal(published.sizeBytes, 34);
    const offered = await newerRelease(hub.context.store, '0.1.0');
    const opened = openSignedManifest(offered, caCertificatePem);
    assert.equal(opened.status === 'trusted' && opened.manifest.version, '0.2.0');
  });

  it('lists and publishes with the hub stopped, signing with its CA key', async () => {
    await hub.close();
    await writeFile(bundleFile, '// an agent bundle, version 0.3.0\n');

    await strata('admin', 'agent-release', 'publish', bundleFile, '--version', '0.3.0');
    const listed = (await strata('admin', 'agent-release', 'list')) as Array<{ version: string }>;

    assert.deepEqual(
      listed.map((release) => release.version),
      ['0.3.0', '0.2.0'],
    );
    const store = await openStore({
      databaseUrl: hub.databaseUrl,
      embeddedDir: join(baseDir, 'hub', 'store'),
    });
    try {
      const opened = openSignedManifest(await newerRelease(store, '0.2.0'), caCertificatePem);
      assert.equal(opened.status === 'trusted' && opened.manifest.version, '0.3.0');
    } finally {
      await store.close();
    }
  });

  it('refuses to publish with a CA key of another site, saying what it needs', async () => {
    const keyPath = join(baseDir, 'hub', 'ca-key.pem');
    const siteKey = await readFile(keyPath);
    await writeFile(keyPath, (await createKeyPair()).privateKeyPem);
    try {
      const failed = await run(
        'admin',
        'agent-release',
        'publish',
        bundleFile,
        '--version',
        '0.4.0',
      ).then(
        () => null,
        (error: { code: number; stderr: string }) => error,
      );
      assert.equal(failed?.code, 2);
      assert.match(failed?.stderr ?? '', /publishing needs the site CA key/);
    } finally {
      await writeFile(keyPath, siteKey);
    }
  });
});
