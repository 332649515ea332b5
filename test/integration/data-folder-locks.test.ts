/**
 * One process per data folder: an agent or a callback collector started on a folder another
 * running process holds is refused with a message that names the process, and a lock left by
 * a process that died is taken over.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAgent } from '../../src/agent/agent.js';
import { silentLogger } from '../../src/shared/logger.js';
import { sampleMachine } from '../support/sample-callback.js';
import { issueToken, startTestCollector } from '../support/test-collector.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

describe(`data folders held by another process (${storeKind} store)`, () => {
  let hub: TestHub;
  let holder: ChildProcess;
  const dirs: string[] = [];

  before(async () => {
    hub = await startTestHub();
    // Any other live process stands in for a second agent or collector holding the folder.
    holder = spawn('sleep', ['300'], { stdio: 'ignore' });
  });
  after(async () => {
    holder?.kill('SIGKILL');
    await hub?.cleanup();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  const folderHeldBy = async (lockName: string, pid: number) => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-locked-'));
    dirs.push(dir);
    await writeFile(join(dir, lockName), `${pid}\n`);
    return dir;
  };

  it('refuses a second agent on a folder a running process holds', async () => {
    const dataDir = await folderHeldBy('agent.lock', holder.pid!);
    const token = await issueToken(hub, 'agent');
    await assert.rejects(
      startAgent({ dataDir, hubUrl: hub.url, token, logger: silentLogger() }),
      new RegExp(`in use by process ${holder.pid}`),
    );
    assert.equal((await readFile(join(dataDir, 'agent.lock'), 'utf8')).trim(), `${holder.pid}`);
  });

  it('refuses a second callback collector on a folder a running process holds', async () => {
    const dataDir = await folderHeldBy('collector.lock', holder.pid!);
    await assert.rejects(
      startTestCollector(hub, { dataDir }),
      new RegExp(`in use by process ${holder.pid}`),
    );
  });

  it('takes over a lock whose process is gone, and frees it at stop', async () => {
    const gone = spawn('true');
    await new Promise((resolve) => gone.once('exit', resolve));
    const dataDir = await folderHeldBy('agent.lock', gone.pid!);
    const token = await issueToken(hub, 'agent');
    const agent = await startAgent({
      dataDir,
      hubUrl: hub.url,
      token,
      logger: silentLogger(),
      sample: async () => sampleMachine(),
    });
    assert.equal((await readFile(join(dataDir, 'agent.lock'), 'utf8')).trim(), `${process.pid}`);
    await agent.stop();
    await assert.rejects(readFile(join(dataDir, 'agent.lock')), /ENOENT/);
  });
});
