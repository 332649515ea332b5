/**
 * Dashboard query benchmark: loads a synthetic site into a throw-away PostgreSQL database
 * (generated inside the server with INSERT ... SELECT over generate_series), builds the
 * roll-ups, and times each dashboard query over many runs with random parameters; then the
 * same on the embedded store at a small scale. Run with `npm run bench:queries`.
 *
 * Scale (defaults are the full site: 10,000 machines, 20,000 users, 30 days of hourly
 * callbacks with 60 processes each, 432 million process rows):
 *   STRATA_BENCH_MACHINES, STRATA_BENCH_USERS, STRATA_BENCH_DAYS, STRATA_BENCH_PROCESSES,
 *   STRATA_BENCH_EMBEDDED_MACHINES (500), STRATA_BENCH_EMBEDDED_DAYS (7),
 *   STRATA_BENCH_EMBEDDED_PROCESSES (20), STRATA_BENCH_RUNS (runs per query, 50),
 *   STRATA_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 *   STRATA_BENCH_KEEP=1 keeps the PostgreSQL database for a look afterwards.
 * Goals: p95 under 200 ms on PostgreSQL, under 500 ms on the embedded store.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  machineHistory,
  networkLatencyByGroup,
  siteOverview,
  topApplications,
  userLogons,
  worstMachines,
} from '../src/hub/dashboard/dashboard-queries.js';
import { runRollups } from '../src/hub/rollups/rollup-run.js';
import { openStore } from '../src/store/open-store.js';
import { networkFlowColumns } from '../test/support/rollup-seed.js';
import type { Store } from '../src/store/store.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const runs = env('STRATA_BENCH_RUNS', 50);
const serverUrl =
  process.env.STRATA_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const applications = 40;
const groups = 20;
const start = Date.parse('2026-05-01T00:00:00Z');
const dayMillis = 86_400_000;

interface Scale {
  machines: number;
  users: number;
  days: number;
  processes: number;
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(1);

/** The site: agents, machines, users, groups; then each day's detail, one day a statement set. */
async function loadSite(store: Store, scale: Scale): Promise<void> {
  const began = performance.now();
  await store.query(
    `INSERT INTO components (id, kind, name, public_key_pem, certificate_pem, certificate_serial,
       certificate_not_after)
     SELECT md5('agent' || i)::uuid, 'agent', 'desk-' || i, 'key', 'cert', 'serial-' || i,
       now() + interval '1 year'
     FROM generate_series(1, $1) i`,
    [scale.machines],
  );
  await store.query(
    `INSERT INTO machines (id, agent_id, hostname, fqdn, cpu_count, last_seen_at)
     SELECT md5('machine' || i)::uuid, md5('agent' || i)::uuid, 'desk-' || i, 'desk-' || i, 4,
       $2::timestamptz
     FROM generate_series(1, $1) i`,
    [scale.machines, new Date(start + scale.days * dayMillis)],
  );
  await store.query(
    `INSERT INTO users (id, account, last_seen_at)
     SELECT md5('user' || i)::uuid, 'user' || i || '@CORP', $2::timestamptz
     FROM generate_series(1, $1) i`,
    [scale.users, new Date(start + scale.days * dayMillis)],
  );
  await store.query(
    `INSERT INTO policies (id, name, kind, settings)
     VALUES (md5('policy')::uuid, 'bench', 'agent', '{}')`,
  );
  await store.query(
    `INSERT INTO component_groups (id, name, kind, policy_id)
     SELECT md5('group' || g)::uuid, 'floor-' || g, 'agent', md5('policy')::uuid
     FROM generate_series(1, $1) g`,
    [groups],
  );
  await store.query(
    `INSERT INTO component_group_members (group_id, component_id)
     SELECT md5('group' || (i % $2 + 1))::uuid, md5('agent' || i)::uuid
     FROM generate_series(1, $1) i`,
    [scale.machines, groups],
  );
  for (let day = 0; day < scale.days; day++) {
    const dayStart = new Date(start + day * dayMillis);
    await loadDay(store, scale, dayStart);
    log(`  loaded day ${day + 1}/${scale.days} (${seconds(began)} s)`);
  }
  // What autovacuum would do soon after such a load; the roll-up plans depend on it.
  if (store.kind === 'postgres') await store.query('ANALYZE');
  log(`load: ${seconds(began)} s`);
}

async function loadDay(store: Store, scale: Scale, dayStart: Date): Promise<void> {
  // One callback per machine an hour, at a minute of the hour that differs by machine.
  await store.query(
    `INSERT INTO callbacks (callback_id, machine_id, component_id, sampled_at, received_at,
       process_count)
     SELECT md5(i || '/' || t)::uuid, md5('machine' || i)::uuid, md5('agent' || i)::uuid, t, t, $2
     FROM generate_series(1, $1) i,
       generate_series($3::timestamptz, $3::timestamptz + interval '23 hours', interval '1 hour') h,
       LATERAL (SELECT h + (i % 60) * interval '1 minute' AS t) s`,
    [scale.machines, scale.processes, dayStart],
  );
  const todays = `FROM callbacks c
    WHERE c.sampled_at >= $1 AND c.sampled_at < $1::timestamptz + interval '1 day'`;
  const machineNumber = `('x' || substr(c.machine_id::text, 1, 7))::bit(28)::integer`;
  await store.query(
    `INSERT INTO machine_samples (machine_id, sampled_at, callback_id, cpu_percent, load1,
       memory_total_bytes, memory_used_bytes, disk_total_bytes, disk_used_bytes)
     SELECT c.machine_id, c.sampled_at, c.callback_id, random() * 100, 1, 16e9,
       (random() * 16e9)::bigint, 5e11, (random() * 5e11)::bigint ${todays}`,
    [dayStart],
  );
  await store.query(
    `INSERT INTO machine_series_points (machine_id, sampled_at, callback_id, cpu_percent,
       cpu_queue_per_core, disk_latency_millis)
     SELECT c.machine_id, c.sampled_at, c.callback_id, random() * 100, random() * 2,
       random() * 40 ${todays}`,
    [dayStart],
  );
  await store.query(
    `INSERT INTO process_samples (machine_id, sampled_at, callback_id, pid, parent_pid, name,
       command, account, cpu_percent, memory_rss_bytes)
     SELECT c.machine_id, c.sampled_at, c.callback_id, 1000 + p, 1, 'app-' || (p % $2),
       'app-' || (p % $2), 'user' || (${machineNumber} % $3 + 1) || '@CORP',
       random() * 25, (random() * 1e9)::bigint
     FROM callbacks c CROSS JOIN generate_series(1, $4) p
     WHERE c.sampled_at >= $1 AND c.sampled_at < $1::timestamptz + interval '1 day'`,
    [dayStart, applications, scale.users, scale.processes],
  );
  await store.query(
    `INSERT INTO logon_events (machine_id, callback_id, at, account, event, terminal,
       from_address, duration_millis)
     SELECT c.machine_id, c.callback_id, c.sampled_at - interval '1 minute',
       'user' || (${machineNumber} % $2 + 1) || '@CORP', 'logon', 'tty1', '',
       (5000 + random() * 60000)::integer
     ${todays} AND extract(hour FROM c.sampled_at) IN (8, 13)`,
    [dayStart, scale.users],
  );
  await store.query(
    `INSERT INTO application_events (machine_id, callback_id, at, event, application, pid,
       account, duration_millis)
     SELECT c.machine_id, c.callback_id, c.sampled_at - interval '2 minutes',
       CASE WHEN random() < 0.05 THEN 'not_responding' ELSE 'loaded' END,
       'app-' || (${machineNumber} % $2), 1000, 'user' || (${machineNumber} % $3 + 1) || '@CORP',
       (random() * 8000)::integer
     ${todays}`,
    [dayStart, applications, scale.users],
  );
  await store.query(
    `INSERT INTO network_flows (${networkFlowColumns})
     SELECT c.callback_id, c.callback_id, c.sampled_at, c.sampled_at, c.sampled_at, 'tcp',
       '10.0.0.1', 50000, '10.0.0.2', 443, 'tls', 'port', 'app-' || (${machineNumber} % $2),
       c.machine_id, 'finished', 'SF', 'ShAD', 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0,
       random() * 0.2, 0, 0, 0, 0, 0
     ${todays}`,
    [dayStart, applications],
  );
}

type Query = { name: string; run: (store: Store) => Promise<unknown> };

function queries(scale: Scale, now: number): Query[] {
  const pick = (n: number) => 1 + Math.floor(Math.random() * n);
  const machineId = (i: number) => uuidOf(`machine${i}`);
  return [
    { name: 'site overview', run: (s) => siteOverview(s, now) },
    { name: 'worst 50 machines', run: (s) => worstMachines(s, 50) },
    {
      name: 'machine 30-day history',
      run: (s) => machineHistory(s, machineId(pick(scale.machines)), now, 30),
    },
    {
      name: "user's logons",
      run: (s) => userLogons(s, uuidOf(`user${pick(scale.users)}`), now, 30, 200),
    },
    { name: 'top applications by CPU', run: (s) => topApplications(s, now, pick(30), 20) },
    { name: 'network latency by group', run: (s) => networkLatencyByGroup(s, now, pick(30)) },
  ];
}

// The same uuid the SQL's md5(text)::uuid gives.
function uuidOf(text: string): string {
  const hex = createHash('md5').update(text).digest('hex');
  const parts = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20)];
  return [...parts, hex.slice(20, 32)].join('-');
}

async function timeQueries(store: Store, scale: Scale, label: string, goalMillis: number) {
  const now = start + (scale.days + 1) * dayMillis;
  log(`${label}: ${runs} runs per query (goal p95 < ${goalMillis} ms)`);
  for (const query of queries(scale, now)) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const began = performance.now();
      await query.run(store);
      times.push(performance.now() - began);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!;
    const p95 = at(0.95);
    log(
      `  ${query.name.padEnd(26)} p50 ${at(0.5).toFixed(1).padStart(7)} ms  ` +
        `p95 ${p95.toFixed(1).padStart(7)} ms  max ${times.at(-1)!.toFixed(1).padStart(7)} ms` +
        (p95 < goalMillis ? '' : '  (over goal)'),
    );
  }
}

async function benchStore(store: Store, scale: Scale, label: string, goalMillis: number) {
  log(
    `${label}: ${scale.machines} machines, ${scale.users} users, ${scale.days} days, ` +
      `${scale.processes} processes a callback ` +
      `(${(scale.machines * 24 * scale.days * scale.processes).toLocaleString('en')} process rows)`,
  );
  await loadSite(store, scale);
  const began = performance.now();
  const built = await runRollups(store, {
    now: start + (scale.days + 1) * dayMillis,
    timeZone: 'UTC',
  });
  const [rows] = await store.query<{ n: number }>('SELECT count(*)::integer AS n FROM rollups');
  log(`roll-ups: ${seconds(began)} s (${built.day.length} days, ${rows!.n} rows)`);
  await timeQueries(store, scale, label, goalMillis);
}

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

const server: Scale = {
  machines: env('STRATA_BENCH_MACHINES', 10_000),
  users: env('STRATA_BENCH_USERS', 20_000),
  days: env('STRATA_BENCH_DAYS', 30),
  processes: env('STRATA_BENCH_PROCESSES', 60),
};
const embedded: Scale = {
  machines: env('STRATA_BENCH_EMBEDDED_MACHINES', 500),
  users: env('STRATA_BENCH_EMBEDDED_MACHINES', 500) * 2,
  days: env('STRATA_BENCH_EMBEDDED_DAYS', 7),
  processes: env('STRATA_BENCH_EMBEDDED_PROCESSES', 20),
};

const name = `strata_bench_${randomBytes(4).toString('hex')}`;
const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();
const baseDir = await mkdtemp(join(tmpdir(), 'strata-queries-bench-'));
await admin(`CREATE DATABASE ${name}`);
try {
  const store = await openStore({ databaseUrl, embeddedDir: join(baseDir, 'unused') });
  try {
    await benchStore(store, server, 'PostgreSQL', 200);
  } finally {
    await store.close();
  }
  const local = await openStore({ embeddedDir: join(baseDir, 'embedded') });
  try {
    await benchStore(local, embedded, 'embedded store', 500);
  } finally {
    await local.close();
  }
} finally {
  if (process.env.STRATA_BENCH_KEEP) log(`kept the database: ${databaseUrl}`);
  else await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await rm(baseDir, { recursive: true, force: true });
}
