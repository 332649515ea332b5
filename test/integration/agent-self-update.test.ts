/**
 * A whole update as it happens on a machine: an agent process running from a bundle file finds
 * a newer release on the hub, installs it in place of itself and hands over to it.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadPending } from '../../src/agent/updater/bundle-swap.js';
import { publishRelease } from '../../src/hub/agent-releases.js';
import { issueToken } from '../support/test-collector.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

const cliMain = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
/** Bound on the whole hand-over: start, first callback, first check after 10 s, swap. */
const handOverWithinMillis = 120_000;

describe(`an agent updating itself from the hub (${storeKind} store)`, () => {
  let hub: TestHub;
  let dir: string;
  let agent: ChildProcess | null = null;

  before(async () => {
    hub = await startTestHub({ agentUpdates: { autoUpdate: true, updateCheckSeconds: 10 } });
    dir = await mkdtemp(join(tmpdir(), 'strata-self-update-'));
  });

  after(async () => {
    if (agent?.exitCode === null) agent.kill('SIGKILL');
    await hub?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('installs the newer release over its bundle and starts it with its arguments', async () => {
    // The running version: a bundle file that runs this agent (from source, through tsx).
    const bundlePath = join(dir, 'strata-agent.mjs');
    const running = `await import(${JSON.stringify(cliMain)});\n`;
    await writeFile(bundlePath, running, { mode: 0o755 });
    // The new version answers `--version` like the agent, and otherwise records how it was
    // started, where the test can see it.
    const outputPath = join(dir, 'new-version-started.json');
    const newVersion = Buffer.from(
      "import { writeFileSync } from 'node:fs';\n" +
        "if (process.argv[2] === '--version') console.log('99.0.0');\n" +
        'else writeFileSync(process.env.STRATA_TEST_OUTPUT, ' +
        'JSON.stringify(process.argv.slice(2)));\n',
    );
    await publishRelease(hub.context.store, {
      version: '99.0.0',
      bundle: newVersion,
      actor: 'test',
      caPrivateKeyPem: hub.context.identity.caKeys.privateKeyPem,
    });
    const args = ['agent', '--data-dir', dir, '--hub', hub.url, '--token'];
    args.push(await issueToken(hub, 'agent'));

    const { INVOCATION_ID: _systemd, ...env } = process.env;
    agent = spawn(process.execPath, ['--import', 'tsx', bundlePath, ...args], {
      env: { ...env, STRATA_LOG_LEVEL: 'warn', STRATA_TEST_OUTPUT: outputPath },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exit = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('no hand-over in time')),
        handOverWithinMillis,
      );
      agent!.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });

    assert.equal(exit, 0, 'run by hand, the old version exits once the new one started');
    let started: string | null = null;
    for (let tries = 0; tries < 200 && !started; tries++) {
      started = await readFile(outputPath, 'utf8').catch(() => null);
      if (!started) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(JSON.parse(started ?? 'null'), args);
    assert.deepEqual(await readFile(bundlePath), newVersion);
    assert.equal(await readFile(`${bundlePath}.previous`, 'utf8'), running);
    assert.equal((await loadPending(join(dir, 'agent')))?.version, '99.0.0');
    assert.equal(hub.context.counters.releaseBundlesServed, 1);
    const [stored] = await hub.context.store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM callbacks',
    );
    assert.ok(stored!.n >= 1, 'the old version did its work before it handed over');
  });
});
