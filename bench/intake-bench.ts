/**
 * Intake benchmark: simulated agents send realistic callbacks, sealed end to end, through one
 * callback collector (its own process) into PostgreSQL on this machine; then a plain COPY of
 * the same rows into the same tables gives the ceiling. Run with `npm run bench:intake`.
 *
 * It measures for 60 s, the goal's span; STRATA_BENCH_SECONDS shortens (or lengthens) that.
 * STRATA_BENCH_DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432/postgres);
 * a throw-away database is made on it and dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createActivationToken } from '../src/hub/activation-tokens.js';
import { startHub } from '../src/hub/hub.js';
import { silentLogger } from '../src/shared/logger.js';
import { openPostgresStore } from '../src/store/postgres-store.js';
import { collectorProcess } from '../test/support/collector-process.js';
import { realisticRowsPerCallback } from '../test/support/realistic-callback.js';
import { runLoad } from './load-generator.js';
import { plainCopyRowsPerSecond } from './plain-copy.js';
import { databaseBackendCpu, peakResidentMiB, processCpuSeconds } from './process-cpu.js';

const measureSeconds = Number(process.env.STRATA_BENCH_SECONDS ?? 60);
const warmUpSeconds = 5;
const agentCount = 40;
const concurrentRequests = 32;
const plainCopyCallbacks = 10_000;
const plainCopyBatchCallbacks = 1_000;
const serverUrl =
  process.env.STRATA_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

const name = `strata_bench_${randomBytes(4).toString('hex')}`;
const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();
const baseDir = await mkdtemp(join(tmpdir(), 'strata-bench-'));
await admin(`CREATE DATABASE ${name}`);
const hub = await startHub({
  dataDir: join(baseDir, 'hub'),
  databaseUrl,
  port: 0,
  logger: silentLogger(),
});
const collector = collectorProcess({
  baseDir: join(baseDir, 'collector'),
  hubUrl: hub.url,
  port: 20_000 + Math.floor(Math.random() * 10_000),
  databaseUrl,
});
try {
  const token = async (kind: 'agent' | 'collector', uses: number) =>
    (
      await createActivationToken(hub.context.store, hub.context.identity.caPin, {
        kind,
        uses,
        actor: 'bench',
      })
    ).token;
  await collector.start(await token('collector', 1));
  await collector.ready();
  const store = await openPostgresStore(databaseUrl);
  const countStored = async () =>
    (await store.query<{ n: number }>('SELECT count(*)::int AS n FROM callbacks'))[0]!.n;

  process.stdout.write(`activating ${agentCount} simulated agents...\n`);
  const load = await runLoad({
    hubUrl: hub.url,
    token: await token('agent', agentCount),
    collector: await collector.peer(),
    agents: agentCount,
    concurrency: concurrentRequests,
  });
  await new Promise((resolve) => setTimeout(resolve, warmUpSeconds * 1_000));

  const backendCpu = databaseBackendCpu(store, name);
  await backendCpu.start();
  const collectorCpu = async () => (await processCpuSeconds(collector.pid() ?? 0)) ?? NaN;
  const start = {
    at: performance.now(),
    acknowledged: load.acknowledged(),
    stored: await countStored(),
    collectorCpu: await collectorCpu(),
    benchCpu: process.cpuUsage(),
    load: loadavg(),
  };
  process.stdout.write(`measuring for ${measureSeconds} s...\n`);
  await new Promise((resolve) => setTimeout(resolve, measureSeconds * 1_000));
  const end = {
    at: performance.now(),
    acknowledged: load.acknowledged(),
    stored: await countStored(),
    collectorCpu: await collectorCpu(),
    benchCpu: process.cpuUsage(start.benchCpu),
    load: loadavg(),
  };
  const storeCpuSeconds = await backendCpu.stop();
  await load.stop();
  const seconds = (end.at - start.at) / 1_000;
  const callbacksPerSecond = (end.acknowledged - start.acknowledged) / seconds;
  const storedPerSecond = (end.stored - start.stored) / seconds;
  const rowsPerSecond = storedPerSecond * realisticRowsPerCallback;
  const backlog = load.acknowledged() - (await countStored());
  const acknowledged = end.acknowledged - start.acknowledged;
  // CPU milliseconds per callback acknowledged in the measured window, by who spent them.
  const cpuPerCallback = (seconds: number) => `${((seconds * 1_000) / acknowledged).toFixed(2)} ms`;
  const benchCpuSeconds = (end.benchCpu.user + end.benchCpu.system) / 1e6;

  const drainStarted = performance.now();
  while ((await countStored()) < load.acknowledged()) await new Promise((r) => setTimeout(r, 100));
  const drainSeconds = (performance.now() - drainStarted) / 1_000;
  const collectorPeakMiB = (await peakResidentMiB(collector.pid() ?? 0)) ?? NaN;

  process.stdout.write('plain COPY of the same rows...\n');
  const [agent] = await store.query<{ id: string }>(
    "SELECT id FROM components WHERE kind = 'agent' LIMIT 1",
  );
  const plain = await plainCopyRowsPerSecond(
    store,
    agent!.id,
    plainCopyCallbacks,
    plainCopyBatchCallbacks,
  );
  await store.close();

  const figures = [
    ['callbacks acknowledged per second', callbacksPerSecond.toFixed(0)],
    ['callbacks stored per second', storedPerSecond.toFixed(0)],
    ['rows stored per second', rowsPerSecond.toFixed(0)],
    ['plain COPY rows per second', plain.rowsPerSecond.toFixed(0)],
    ['ratio to plain COPY', `${((rowsPerSecond / plain.rowsPerSecond) * 100).toFixed(1)}%`],
    [
      'queued, not yet stored, at the end',
      `${backlog} callbacks (drained in ${drainSeconds.toFixed(1)} s)`,
    ],
    ['refused by the collector', JSON.stringify(load.refusals())],
    ['CPU per callback: collector', cpuPerCallback(end.collectorCpu - start.collectorCpu)],
    ['CPU per callback: PostgreSQL backends', cpuPerCallback(storeCpuSeconds)],
    ['CPU per callback: agents and hub', cpuPerCallback(benchCpuSeconds)],
    ['collector peak memory (RSS)', `${collectorPeakMiB.toFixed(0)} MiB`],
    [
      'load average (1 min) at start, end',
      `${start.load[0]!.toFixed(2)}, ${end.load[0]!.toFixed(2)}`,
    ],
  ];
  process.stdout.write(
    `\nintake over ${seconds.toFixed(0)} s, ${realisticRowsPerCallback} rows per callback\n`,
  );
  for (const [label, value] of figures) process.stdout.write(`  ${label!.padEnd(38)} ${value}\n`);
} finally {
  await collector.kill();
  await hub.close();
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await rm(baseDir, { recursive: true, force: true });
}
