import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { restartExitCode } from './agent-restart.js';

const restartModule = new URL('./agent-restart.ts', import.meta.url).href;

/** Runs `entry` (which calls restartProcess) with `args`; resolves its exit status. */
function runRestart(entry: string, args: string[], env: NodeJS.ProcessEnv) {
  const { INVOCATION_ID: _systemd, ...rest } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    env: { ...rest, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise<number | null>((resolve) => child.once('exit', resolve));
}

describe('restarting into a new agent version', () => {
  let dir: string;
  let bundlePath: string;
  let outputPath: string;
  let entry: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-restart-'));
    bundlePath = join(dir, 'strata-agent.mjs');
    outputPath = join(dir, 'started-with.json');
    // The "new version": records the arguments it was started with.
    await writeFile(
      bundlePath,
      "import { writeFileSync } from 'node:fs';\n" +
        'writeFileSync(process.env.STRATA_TEST_OUTPUT, JSON.stringify(process.argv.slice(2)));\n',
    );
  });

  before(async () => {
    // The running version: an agent that has just put `bundlePath` in place of itself.
    entry = join(dir, 'running-agent.mjs');
    await writeFile(
      entry,
      `const { restartProcess } = await import(${JSON.stringify(restartModule)});\n` +
        `restartProcess(${JSON.stringify(bundlePath)});\n`,
    );
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits with status 75 under a service manager, which starts the new bundle', async () => {
    const status = await runRestart(entry, ['agent'], { STRATA_AGENT_SUPERVISED: '1' });
    assert.equal(status, restartExitCode);
  });

  it('run by hand, starts the new bundle with the same arguments and exits', async () => {
    const env = { STRATA_TEST_OUTPUT: outputPath };
    const status = await runRestart(entry, ['agent', '--hub', 'http://hub.example'], env);
    assert.equal(status, 0);

    let started: string | null = null;
    for (let tries = 0; tries < 200 && !started; tries++) {
      started = await readFile(outputPath, 'utf8').catch(() => null);
      if (!started) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(JSON.parse(started ?? 'null'), ['agent', '--hub', 'http://hub.example']);
  });
});
