/**
 * The one-file agent bundle does the agent's whole job: installed as the service would be, it
 * reads the hub address and token from the installed environment file, activates, and the hub
 * stores this machine. Plain Node.js, no tsx, no node_modules beside it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createActivationToken } from '../../src/hub/activation-tokens.js';
import { buildAgentBundle, runCommand } from '../support/agent-bundle.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

/** How long the first callback may take to reach the store (activation makes a key pair). */
const storedWithinMillis = 60_000;
const pollIntervalMillis = 250;

describe(`the agent bundle run as its service runs it (${storeKind} store)`, () => {
  let hub: TestHub;
  let root: string;

  before(async () => {
    hub = await startTestHub();
    root = await mkdtemp(join(tmpdir(), 'strata-root-'));
  });
  after(async () => {
    await hub?.cleanup();
    await rm(root, { recursive: true, force: true });
  });

  it('activates from the environment file and the hub stores this machine', async () => {
    const { token } = await createActivationToken(hub.context.store, hub.context.identity.caPin, {
      kind: 'agent',
      actor: 'test',
    });
    const bundle = buildAgentBundle();
    const args = ['agent', 'install', '--root', root, '--hub', hub.url, '--token', token];
    const installed = await runCommand(process.execPath, [bundle, ...args]);
    assert.equal(installed.code, 0, installed.stderr);

    // The unit's command line, with the data folder moved below the test's root.
    const unit = await readFile(join(root, 'etc/systemd/system/strata-agent.service'), 'utf8');
    const [node, ...unitArgs] = /^ExecStart=(.*)$/m.exec(unit)![1]!.split(' ');
    const inRoot = (path: string) => (path.startsWith('/') ? join(root, path) : path);
    const agent = spawn(
      node!,
      [`--env-file=${join(root, 'etc/strata/agent.env')}`, ...unitArgs.map(inRoot)],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH } },
    );
    let output = '';
    agent.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    agent.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((done) => agent.on('close', done));

    try {
      const deadline = Date.now() + storedWithinMillis;
      let machines: Array<{ hostname: string }> = [];
      while (machines.length === 0 && Date.now() < deadline && agent.exitCode === null) {
        await new Promise((done) => setTimeout(done, pollIntervalMillis));
        machines = await hub.context.store.query('SELECT hostname FROM machines');
      }
      assert.deepEqual(
        machines.map((machine) => machine.hostname),
        [hostname()],
        `no machine stored; the agent said:\n${output}`,
      );
      const identity = join(root, 'var/lib/strata/agent/identity.json');
      assert.ok(JSON.parse(await readFile(identity, 'utf8')).componentId);
    } finally {
      agent.kill('SIGTERM');
    }
    assert.equal(await exited, 0, `the agent did not stop cleanly:\n${output}`);
  });
});
