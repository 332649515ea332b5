import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  failedVersions,
  loadPending,
  maxStartAttempts,
  previousBundlePath,
  savePending,
} from '../../src/agent/updater/bundle-swap.js';
import { startUpdater, type Updater } from '../../src/agent/updater/agent-updater.js';
import { newerRelease } from '../../src/hub/agent-releases.js';
import { createApiToken } from '../../src/hub/credentials.js';
import { createKeyPair } from '../../src/protocol/key-pair.js';
import { signManifest, type ReleaseManifest } from '../../src/protocol/release-manifest.js';
import { createLogger, silentLogger } from '../../src/shared/logger.js';
import type { SqlParam } from '../../src/store/store.js';
import { activateTestAgent, type TestAgent } from '../support/test-collector.js';
import { defaultPolicy, updatePolicy } from '../../src/hub/policies/policy-store.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

const runningBundle = Buffer.from('// the agent bundle running now: version 0.1.0\n');

/** A bundle that answers `--version` with `version`, as the agent's does. */
function versionScript(version: string, filler = ''): Buffer {
  return Buffer.from(`console.log(${JSON.stringify(version)});\n// ${filler}\n`);
}

/** An updater for `agent`, running (as far as it knows) from its own copy of a bundle. */
interface UpdaterUnderTest {
  updater: Updater;
  bundlePath: string;
  dataDir: string;
  restarts: string[];
  warnings: Array<Record<string, unknown>>;
}

describe(`the agent updater against a hub with published releases (${storeKind} store)`, () => {
  let hub: TestHub;
  let agent: TestAgent;
  let adminToken: string;
  let otherCaKeyPem: string;
  const folders: string[] = [];
  const updaters: Updater[] = [];

  before(async () => {
    hub = await startTestHub({ agentUpdates: { autoUpdate: true, updateCheckSeconds: 3_600 } });
    agent = await activateTestAgent(hub);
    otherCaKeyPem = (await createKeyPair()).privateKeyPem;
    ({ token: adminToken } = await createApiToken(hub.context.store, {
      role: 'administrator',
      actor: 'test',
    }));
  });

  beforeEach(async () => {
    await hub.context.store.query('DELETE FROM agent_releases');
  });

  after(async () => {
    for (const updater of updaters) await updater.stop();
    await hub?.cleanup();
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  /** `before` sets up the agent's folder as an earlier run left it. */
  async function updaterFor(
    who: TestAgent,
    before?: (dataDir: string, bundlePath: string) => Promise<void>,
  ): Promise<UpdaterUnderTest> {
    const dataDir = await mkdtemp(join(tmpdir(), 'strata-updater-'));
    folders.push(dataDir);
    const bundlePath = join(dataDir, 'strata-agent.mjs');
    await writeFile(bundlePath, runningBundle, { mode: 0o755 });
    await before?.(dataDir, bundlePath);
    const restarts: string[] = [];
    const warnings: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n'))
          if (line && JSON.parse(line).level === 40) warnings.push(JSON.parse(line));
        done();
      },
    });
    const updater = startUpdater({
      identity: who.identity,
      privateKeyPem: who.keys.privateKeyPem,
      dataDir,
      log: createLogger({ level: 'info', destination }),
      restart: (path) => restarts.push(path),
      bundlePath,
      runningVersion: '0.1.0',
      schedule: false,
    });
    updaters.push(updater);
    return { updater, bundlePath, dataDir, restarts, warnings };
  }

  async function publish(version: string, bundle: Buffer) {
    const response = await fetch(`${hub.url}/api/v1/agent-releases/${version}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${adminToken}`,
        'content-type': 'application/octet-stream',
      },
      body: bundle,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Publishes through the hub's control socket, as `strata admin agent-release publish` does. */
  function publishAtConsole(version: string, bundle: Buffer): Promise<Record<string, unknown>> {
    const body = JSON.stringify({ version, bundleBase64: bundle.toString('base64') });
    return new Promise((resolve, reject) => {
      const call = request(
        {
          socketPath: join(hub.dataDir, 'control.sock'),
          path: '/agent-release-publish',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
        },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          response.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
        },
      );
      call.on('error', reject);
      call.end(body);
    });
  }

  const nextTick = () => new Promise((resolve) => setImmediate(resolve));

  it('installs a newer release, keeps the previous bundle and asks to restart', async () => {
    const bundle = versionScript('0.2.0', randomBytes(100_000).toString('hex'));
    const published = await publishAtConsole('0.2.0', bundle);
    assert.equal(published.status, 'published');
    const served = hub.context.counters.releaseBundlesServed;
    const subject = await updaterFor(agent);

    const outcome = await subject.updater.checkNow();
    await nextTick();

    assert.deepEqual(outcome, {
      status: 'installed',
      version: '0.2.0',
      bundlePath: subject.bundlePath,
      previousPath: `${subject.bundlePath}.previous`,
    });
    assert.deepEqual(await readFile(subject.bundlePath), bundle);
    assert.deepEqual(await readFile(`${subject.bundlePath}.previous`), runningBundle);
    assert.equal((await loadPending(subject.dataDir))?.version, '0.2.0');
    assert.deepEqual(subject.restarts, [subject.bundlePath]);
    assert.equal(hub.context.counters.releaseBundlesServed, served + 1);
  });

  it('says it is current when no newer release is published', async () => {
    await publish('0.1.0', Buffer.from('the same version as the running one'));
    const subject = await updaterFor(agent);
    assert.deepEqual(await subject.updater.checkNow(), { status: 'current' });
    assert.deepEqual(subject.restarts, []);
  });

  /** A release published properly, then altered in the store the way an attacker might. */
  const alterations: Array<{
    behaviour: string;
    version: string;
    reason: string;
    /** The version the refusal names, when the agent got as far as reading it. */
    named?: string;
    alter: (row: { manifest: string; signature: string }) => [string, SqlParam[]];
  }> = [
    {
      behaviour: 'refuses a bundle altered after it was signed',
      version: '0.3.0',
      reason: 'digest_mismatch',
      named: '0.3.0',
      // As long as the bundle signed, so only the digest can tell.
      alter: () => ['UPDATE agent_releases SET bundle = $1', [Buffer.from('// version 0.3.1\n')]],
    },
    {
      behaviour: 'refuses a bundle longer than its manifest says, reading no further',
      version: '0.3.0',
      reason: 'size_mismatch',
      named: '0.3.0',
      alter: () => ['UPDATE agent_releases SET bundle = $1', [randomBytes(100_000)]],
    },
    {
      behaviour: 'refuses a manifest whose signature was altered',
      version: '0.4.0',
      reason: 'bad_signature',
      alter: ({ signature }) => {
        const bytes = Buffer.from(signature, 'base64');
        bytes[10] = bytes[10]! ^ 0x01;
        return ['UPDATE agent_releases SET signature = $1', [bytes.toString('base64')]];
      },
    },
    {
      behaviour: 'refuses a manifest altered to name other contents',
      version: '0.4.1',
      reason: 'bad_signature',
      alter: ({ manifest }) => {
        const evil = Buffer.from('// not what the administrator published\n');
        const altered = {
          ...(JSON.parse(manifest) as ReleaseManifest),
          sha256: createHash('sha256').update(evil).digest('hex'),
          sizeBytes: evil.length,
        };
        const sql = 'UPDATE agent_releases SET manifest = $1, bundle = $2';
        return [sql, [JSON.stringify(altered), evil]];
      },
    },
    {
      behaviour: 'refuses a manifest without a signature',
      version: '0.5.0',
      reason: 'unsigned',
      alter: () => ["UPDATE agent_releases SET signature = ''", []],
    },
    {
      behaviour: 'refuses a release signed by another site’s CA',
      version: '0.6.0',
      reason: 'bad_signature',
      alter: ({ manifest }) => {
        const parsed = JSON.parse(manifest) as ReleaseManifest;
        const resigned = signManifest(parsed, otherCaKeyPem);
        const sql = 'UPDATE agent_releases SET manifest = $1, signature = $2';
        return [sql, [resigned.manifest, resigned.signature]];
      },
    },
    {
      // Properly signed by this site but older than the running version: a hub offering it
      // as newer (here: its row renamed), like a replayed manifest, must not make it go back.
      behaviour: 'refuses an older signed release offered as newer (a downgrade)',
      version: '0.0.5',
      reason: 'downgrade',
      named: '0.0.5',
      alter: () => ["UPDATE agent_releases SET version = '9.9.9'", []],
    },
  ];

  for (const case_ of alterations) {
    it(`${case_.behaviour}, counts it and keeps the running bundle`, async () => {
      await publish(case_.version, Buffer.from(`// version ${case_.version}\n`));
      const [row] = await hub.context.store.query<{ manifest: string; signature: string }>(
        'SELECT manifest, signature FROM agent_releases',
      );
      await hub.context.store.query(...case_.alter(row!));
      const subject = await updaterFor(agent);

      const outcome = await subject.updater.checkNow();
      await nextTick();

      assert.deepEqual(outcome, { status: 'refused', reason: case_.reason, version: case_.named });
      assert.equal(subject.updater.refusals[case_.reason], 1);
      assert.deepEqual(await readFile(subject.bundlePath), runningBundle);
      assert.equal(await loadPending(subject.dataDir), null);
      assert.deepEqual(subject.restarts, []);
      const warning = subject.warnings.find((line) => line.reason === case_.reason);
      assert.ok(warning, `a warning names ${case_.reason}`);
    });
  }

  const failingTries = [
    {
      behaviour: 'does not parse',
      // It would print the right version, but Node.js cannot load it.
      bundle: Buffer.from("console.log('0.8.0');\nconst = ;\n"),
    },
    { behaviour: 'throws as it loads', bundle: Buffer.from("throw new Error('broken');\n") },
    { behaviour: 'reports another version than published', bundle: versionScript('0.7.9') },
  ];
  for (const { behaviour, bundle } of failingTries) {
    it(`refuses a signed release that ${behaviour} when tried before the swap`, async () => {
      await publish('0.8.0', bundle);
      const subject = await updaterFor(agent);

      const outcome = await subject.updater.checkNow();
      await nextTick();

      assert.deepEqual(outcome, {
        status: 'refused',
        reason: 'failed_self_check',
        version: '0.8.0',
      });
      assert.equal(subject.updater.refusals.failed_self_check, 1);
      assert.deepEqual(await readFile(subject.bundlePath), runningBundle);
      assert.equal(existsSync(join(subject.dataDir, 'strata-agent.next.mjs')), false);
      assert.equal(await loadPending(subject.dataDir), null);
      assert.deepEqual(subject.restarts, []);
    });
  }

  it('puts the previous bundle back and restarts when this version keeps failing', async () => {
    const previous = Buffer.from('// the version before 0.1.0\n');
    const subject = await updaterFor(agent, async (dataDir, bundlePath) => {
      // As the third start of 0.1.0 on trial left things: it never stayed up.
      await writeFile(previousBundlePath(bundlePath), previous);
      const sha256 = createHash('sha256').update(runningBundle).digest('hex');
      await savePending(dataDir, {
        ...{ version: '0.1.0', sha256, previousVersion: '0.0.9', bundlePath },
        ...{ previousPath: previousBundlePath(bundlePath), startAttempts: maxStartAttempts },
      });
    });

    for (let tries = 0; tries < 500 && subject.restarts.length === 0; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    assert.deepEqual(subject.restarts, [subject.bundlePath]);
    assert.deepEqual(await readFile(subject.bundlePath), previous);
    assert.deepEqual([...(await failedVersions(subject.dataDir))], ['0.1.0']);
    assert.equal(await loadPending(subject.dataDir), null);
  });

  it('only reports a newer release when it does not run from a bundle file', async () => {
    await publish('0.9.0', versionScript('0.9.0'));
    const served = hub.context.counters.releaseBundlesServed;
    const dataDir = await mkdtemp(join(tmpdir(), 'strata-updater-'));
    folders.push(dataDir);
    const updater = startUpdater({
      ...{ identity: agent.identity, privateKeyPem: agent.keys.privateKeyPem, dataDir },
      ...{ log: silentLogger(), restart: () => assert.fail('no restart'), bundlePath: null },
      ...{ runningVersion: '0.1.0', schedule: false },
    });
    updaters.push(updater);

    const outcome = await updater.checkNow();

    assert.equal(outcome.status, 'skipped');
    assert.equal(outcome.status === 'skipped' && outcome.version, '0.9.0');
    assert.equal(hub.context.counters.releaseBundlesServed, served);
  });

  it('fetches nothing for an agent whose policy leaves updates off', async () => {
    await publish('0.7.0', Buffer.from('// version 0.7.0\n'));
    const store = hub.context.store;
    const policy = (await defaultPolicy(store, 'agent'))!;
    await updatePolicy(store, policy.id, { ...policy.settings, autoUpdate: false }, 'test');
    const plain = await activateTestAgent(hub, 'agent-without-updates').finally(() =>
      updatePolicy(store, policy.id, { ...policy.settings, autoUpdate: true }, 'test'),
    );
    assert.equal(plain.identity.policy.autoUpdate, false);
    const checks = hub.context.counters.releaseChecks;
    const served = hub.context.counters.releaseBundlesServed;
    const subject = await updaterFor(plain);

    const outcome = await subject.updater.checkNow();

    assert.deepEqual(outcome, { status: 'off' });
    assert.equal(hub.context.counters.releaseChecks, checks);
    assert.equal(hub.context.counters.releaseBundlesServed, served);
    assert.deepEqual(await readFile(subject.bundlePath), runningBundle);
    assert.deepEqual(subject.restarts, []);
  });

  it('lets administrators publish and list releases, one bundle per version', async () => {
    const first = await publish('1.0.0', Buffer.from('one'));
    assert.equal(first.status, 200);
    assert.equal((await publish('1.0.0', Buffer.from('one'))).body.status, 'unchanged');
    const clash = await publish('1.0.0', Buffer.from('two'));
    assert.equal(clash.status, 409);
    assert.equal(clash.body.code, 'release_exists');
    assert.equal((await publish('1.0', Buffer.from('x'))).body.code, 'bad_version');

    const list = await fetch(`${hub.url}/api/v1/agent-releases`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const { releases } = (await list.json()) as { releases: Array<Record<string, unknown>> };
    assert.equal(releases.length, 1);
    assert.equal(releases[0]!.version, '1.0.0');
    assert.equal(releases[0]!.sizeBytes, 3);

    const { token: viewer } = await createApiToken(hub.context.store, {
      role: 'viewer',
      actor: 'test',
    });
    const refused = await fetch(`${hub.url}/api/v1/agent-releases/1.0.1`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/octet-stream' },
      body: Buffer.from('x'),
    });
    assert.equal(refused.status, 403);
  });

  it('withdraws a release, so agents are offered the next newest instead', async () => {
    await publish('1.0.0', Buffer.from('one'));
    await publish('1.0.1', Buffer.from('one, mended'));
    const withdraw = (version: string) =>
      fetch(`${hub.url}/api/v1/agent-releases/${version}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${adminToken}` },
      });

    assert.equal((await withdraw('1.0.1')).status, 204);
    assert.equal((await withdraw('1.0.1')).status, 404);
    const offered = await newerRelease(hub.context.store, '0.9.0');
    assert.equal(JSON.parse(offered!.manifest).version, '1.0.0');
    const bundle = await fetch(`${hub.url}/api/v1/agent-releases/1.0.1/bundle`);
    assert.equal(bundle.status, 404);
  });
});
