/**
 * A real agent killed with SIGKILL at random moments, again and again: while it starts, while
 * it writes a callback to its spool, while it sends a backlog. Half the rounds run with the
 * store away, so a backlog builds; the other half with it back, so the backlog drains in
 * batches under the kill. Afterwards every callback the agent finished spooling is stored,
 * none twice, and its spool holds nothing damaged.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { sampleProcessCount } from '../support/sample-callback.js';
import { storeOutage, type StoreOutage } from '../support/store-outage.js';
import { issueToken } from '../support/test-collector.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

/** How many times the agent is killed; each kill lands at a random moment. */
const killRounds = 8;
/** Longest a round runs before its kill: 2 s. */
const maxRoundMillis = 2_000;
const entryScript = new URL('../support/agent-entry.ts', import.meta.url).pathname;
const baseMillis = Date.now() - 60 * 60_000;

describe(`an agent killed with SIGKILL again and again (${storeKind} store)`, () => {
  let hub: TestHub;
  let outage: StoreOutage;
  let dataDir: string;
  let child: ChildProcess | null = null;
  /** Samples the agent finished: spooled, and their delivery attempt over. */
  const done = new Set<number>();
  let nextSample = 0;

  before(async () => {
    hub = await startTestHub();
    outage = storeOutage(hub);
    dataDir = await mkdtemp(join(tmpdir(), 'strata-agent-kill-'));
  });

  after(async () => {
    child?.kill('SIGKILL');
    await outage?.close();
    await hub?.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Starts the agent; resolves with a promise of the line `until`, and the process. */
  const run = (extra: { token?: string; drain?: boolean }) => {
    const options = { dataDir, hubUrl: hub.url, firstSample: nextSample, baseMillis, ...extra };
    nextSample += 100_000; // each process numbers its samples apart from the others
    const started = spawn(
      process.execPath,
      ['--import', 'tsx', entryScript, JSON.stringify(options)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    child = started;
    const lines = createInterface({ input: started.stdout! });
    const seen = (wanted: string) =>
      new Promise<void>((resolve, reject) => {
        lines.on('line', (line) => {
          if (line.startsWith('done ')) done.add(Number(line.slice(5)));
          if (line === wanted) resolve();
        });
        started.once('exit', (code) => reject(new Error(`the agent exited (${code})`)));
      });
    return { started, ready: seen('ready'), drained: seen('drained') };
  };

  const kill = async (agentProcess: ChildProcess) => {
    if (agentProcess.exitCode !== null || agentProcess.signalCode !== null) return;
    const exited = new Promise((resolve) => agentProcess.once('exit', resolve));
    agentProcess.kill('SIGKILL');
    await exited;
  };

  it('stores every callback it finished spooling, exactly once, after the last kill', async () => {
    let storeAway = false;
    for (let round = 0; round < killRounds; round++) {
      // Every other round the store goes away, so the next round starts with a backlog.
      if (round % 2 === 1) await outage.goAway();
      else if (storeAway) await outage.comeBack();
      storeAway = round % 2 === 1;

      const agent = run(round === 0 ? { token: await issueToken(hub, 'agent') } : {});
      agent.ready.catch(() => undefined); // a kill before ready is part of the test
      agent.drained.catch(() => undefined);
      // The first round is let start: a kill during activation is another test's business.
      // Rounds with the store away are let start too, so that a backlog builds; the others
      // may die anywhere, starting included.
      if (round === 0 || storeAway) await agent.ready;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * maxRoundMillis));
      await kill(agent.started);
    }
    if (storeAway) await outage.comeBack();

    const last = run({ drain: true });
    await last.drained;
    await new Promise((resolve) => last.started.once('exit', resolve));

    const store = outage.store() ?? hub.context.store;
    const rows = await store.query<{ sampled_at: Date }>('SELECT sampled_at FROM callbacks');
    const stored = new Set(rows.map((row) => new Date(row.sampled_at).getTime() - baseMillis));
    const lost = [...done].filter((n) => !stored.has(n));
    assert.deepEqual(lost, [], 'every finished callback is stored');
    assert.ok(done.size >= killRounds, `callbacks finished: ${done.size}`);
    const [processes] = await store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM process_samples',
    );
    assert.equal(processes!.n, rows.length * sampleProcessCount, 'no callback stored twice');

    const spool = await readdir(join(dataDir, 'spool'));
    assert.deepEqual(
      spool.filter((name) => name !== 'drops.json' && name !== 'damaged'),
      [],
      'nothing left waiting',
    );
    // A kill in the middle of writing a callback leaves its temporary file torn: that write
    // never finished (nothing was promised for it), and the spool sets it aside and counts it.
    // A callback whose write finished is never among them.
    const setAside = await readdir(join(dataDir, 'spool', 'damaged')).catch(() => []);
    assert.ok(
      setAside.every((name) => name.endsWith('.tmp')),
      `only unfinished writes are set aside: ${setAside.join(', ')}`,
    );
    const drops = JSON.parse(
      await readFile(join(dataDir, 'spool', 'drops.json'), 'utf8').catch(() => '{}'),
    ) as Record<string, number>;
    assert.equal(drops.damaged ?? 0, setAside.length, 'each one set aside is counted');
  });
});
