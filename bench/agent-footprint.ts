/**
 * Agent footprint: runs the agent bundle (dist/agent/strata-agent.mjs, built first) as the
 * service runs it, against a hub on this machine with the default policy (callbacks hourly,
 * samples every 15 s), and prints its steady-state resident memory, its average share of one
 * CPU core and the bundle's size on disk. Run with `npm run bench:agent` (10 minutes), or
 * `npm run bench:agent -- --seconds 120` for a shorter run.
 *
 * Memory is VmRSS from /proc/PID/status every 5 s; CPU is utime + stime from /proc/PID/stat.
 * Both are taken after a warm-up (activation, the first callback with the package list):
 * 60 s, or a quarter of a shorter run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { serviceNodeFlags } from '../src/agent/service/agent-unit.js';
import { createActivationToken } from '../src/hub/activation-tokens.js';
import { startTestHub } from '../test/support/test-hub.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '600' },
    // Other flags than the service's, to compare: `--node-flags=''` for Node.js's defaults.
    'node-flags': { type: 'string' },
  },
});
const runSeconds = Number(values.seconds);
if (!Number.isInteger(runSeconds) || runSeconds < 20) {
  throw new Error(`--seconds must be a whole number, at least 20, not ${values.seconds}`);
}
const warmUpSeconds = Math.min(60, Math.round(runSeconds / 4));
const probeIntervalMillis = 5_000;
/** The policy's default callback interval: 1 hour. */
const callbackIntervalSeconds = 3_600;
const goals = { rssMiB: 60, cpuPercent: 0.5, bundleMiB: 5 };

const repoRoot = new URL('../', import.meta.url).pathname;
const bundleDir = join(repoRoot, 'dist', 'agent');
const clockTicksPerSecond = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim());

interface Probe {
  atMillis: number;
  rssKiB: number;
  anonKiB: number;
  fileKiB: number;
  cpuTicks: number;
}

async function probe(pid: number): Promise<Probe> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
  // Fields after the command name, which sits in parentheses and may hold spaces.
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return {
    atMillis: performance.now(),
    rssKiB: field('VmRSS'),
    anonKiB: field('RssAnon'),
    fileKiB: field('RssFile'),
    cpuTicks: Number(stat[11]) + Number(stat[12]), // utime and stime, fields 14 and 15
  };
}

async function bundleBytes(): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  for (const name of ['strata-agent.mjs', 'strata-agent.mjs.LEGAL.txt', 'strata_nfqueue.node']) {
    const size = await stat(join(bundleDir, name)).then(
      (s) => s.size,
      () => null,
    );
    if (size !== null) sizes[name] = size;
  }
  return sizes;
}

/** Resident memory of Node.js running nothing, with the same flags: the floor under the agent. */
async function idleNodeKiB(nodeFlags: string[]): Promise<number> {
  const idle = spawn(process.execPath, [...nodeFlags, '-e', 'setTimeout(() => {}, 60_000)']);
  try {
    await sleep(2_000);
    return (await probe(idle.pid!)).rssKiB;
  } finally {
    idle.kill();
  }
}

const mib = (kib: number) => (kib / 1024).toFixed(1);
const median = (numbers: number[]) => [...numbers].sort((a, b) => a - b)[numbers.length >> 1]!;

const built = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-agent.mjs')], {
  stdio: 'inherit',
});
if (built.status !== 0) throw new Error('the agent bundle did not build');

const hub = await startTestHub({ callbackIntervalSeconds });
const agentDir = await mkdtemp(join(tmpdir(), 'strata-bench-agent-'));
const { token } = await createActivationToken(hub.context.store, hub.context.identity.caPin, {
  kind: 'agent',
  actor: 'bench',
});
const nodeFlags = values['node-flags']?.split(' ').filter(Boolean) ?? serviceNodeFlags;
const logFile = join(agentDir, 'agent.log');
const agent = spawn(
  process.execPath,
  [...nodeFlags, join(bundleDir, 'strata-agent.mjs'), 'agent', '--data-dir', agentDir].concat([
    '--hub',
    hub.url,
    '--token',
    token,
  ]),
  { stdio: ['ignore', openSync(logFile, 'w'), 'inherit'], env: { ...process.env } },
);
const exited = new Promise<number | null>((done) => agent.on('exit', (code) => done(code)));

try {
  console.log(
    `Agent pid ${agent.pid} (node ${[...nodeFlags, 'strata-agent.mjs'].join(' ')}), ` +
      `${runSeconds} s, warm-up ${warmUpSeconds} s, a probe every ${probeIntervalMillis / 1000} s`,
  );
  const probes: Probe[] = [];
  const startMillis = performance.now();
  while (performance.now() - startMillis < runSeconds * 1000) {
    if (agent.exitCode !== null) throw new Error(`the agent exited (${agent.exitCode})`);
    probes.push(await probe(agent.pid!));
    await sleep(probeIntervalMillis);
  }
  probes.push(await probe(agent.pid!));

  const machines = await hub.context.store.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM machines',
  );
  const steady = probes.filter((p) => p.atMillis - startMillis >= warmUpSeconds * 1000);
  const first = steady[0]!;
  const last = steady.at(-1)!;
  const cpuSeconds = (last.cpuTicks - first.cpuTicks) / clockTicksPerSecond;
  const cpuPercent = (100 * cpuSeconds) / ((last.atMillis - first.atMillis) / 1000);
  const wholeCpuPercent =
    (100 * (last.cpuTicks / clockTicksPerSecond)) / ((last.atMillis - startMillis) / 1000);
  const rss = steady.map((p) => p.rssKiB);
  const sizes = await bundleBytes();
  const bundleMiB = (sizes['strata-agent.mjs'] ?? 0) / 1_048_576;
  const allMiB = Object.values(sizes).reduce((a, b) => a + b, 0) / 1_048_576;

  console.log(`machines stored by the hub: ${machines[0]!.n}`);
  console.log(
    `resident memory, steady state: median ${mib(median(rss))} MiB, max ${mib(Math.max(...rss))}` +
      ` MiB (at the end: anonymous ${mib(last.anonKiB)} MiB, file-backed ${mib(last.fileKiB)}` +
      ` MiB); goal at most ${goals.rssMiB} MB`,
  );
  console.log(
    `Node.js alone, same flags, running nothing: ${mib(await idleNodeKiB(nodeFlags))} MiB`,
  );
  console.log(
    `CPU, steady state: ${cpuPercent.toFixed(3)}% of one core (${cpuSeconds.toFixed(2)} s over` +
      ` ${((last.atMillis - first.atMillis) / 1000).toFixed(0)} s); whole run with start-up ` +
      `${wholeCpuPercent.toFixed(3)}%; goal at most ${goals.cpuPercent}%`,
  );
  console.log(
    `bundle on disk: ${bundleMiB.toFixed(2)} MiB (strata-agent.mjs); with its companions ` +
      `${allMiB.toFixed(2)} MiB (${Object.entries(sizes)
        .map(([name, bytes]) => `${name} ${bytes} B`)
        .join(', ')}); goal at most ${goals.bundleMiB} MB`,
  );
} finally {
  agent.kill('SIGTERM');
  await exited;
  await hub.cleanup();
  await rm(agentDir, { recursive: true, force: true });
}
