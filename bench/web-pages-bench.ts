/**
 * How long the web UI's pages wait for their data on a seeded site: the first page of every
 * list, the next page, a search, a machine's and a user's month of history, the overview.
 * The goal is under a second each on a big site; this prints the figures, it asserts none.
 * STRATA_BENCH_MACHINES (default 40) agents send STRATA_BENCH_CALLBACKS (default 24) realistic
 * callbacks each, an hour apart, through the hub's real intake; STRATA_TEST_DATABASE_URL puts
 * the site on PostgreSQL.
 */
import { activateTestAgent } from '../test/support/test-collector.js';
import { realisticCallback } from '../test/support/realistic-callback.js';
import { startTestHub } from '../test/support/test-hub.js';
import { storeKind } from '../test/support/test-store.js';

const machines = Number(process.env.STRATA_BENCH_MACHINES ?? 40);
const callbacksEach = Number(process.env.STRATA_BENCH_CALLBACKS ?? 24);
const HOUR_MILLIS = 3_600_000;
/** Each request is timed this many times; the median is printed. */
const ROUNDS = 5;

const hub = await startTestHub();
try {
  const seededAt = Date.now();
  const now = Date.now();
  let firstMachine = '';
  for (let m = 0; m < machines; m += 1) {
    const hostname = `bench-${String(m).padStart(4, '0')}`;
    const agent = await activateTestAgent(hub, hostname);
    for (let i = callbacksEach - 1; i >= 0; i -= 1) {
      await agent.hub.request(
        '/api/v1/callbacks',
        realisticCallback(hostname, new Date(now - i * HOUR_MILLIS)),
      );
    }
    firstMachine ||= hostname;
  }
  console.log(
    `seeded ${machines} machines x ${callbacksEach} callbacks on the ${storeKind} store in ` +
      `${((Date.now() - seededAt) / 1000).toFixed(1)} s`,
  );

  const cookie = await hub.signInAsAdmin();
  const get = async (path: string) => {
    const response = await fetch(`${hub.url}${path}`, { headers: { cookie } });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<Record<string, unknown>>;
  };
  const time = async (label: string, path: string) => {
    const millis: number[] = [];
    let body: Record<string, unknown> = {};
    for (let round = 0; round < ROUNDS; round += 1) {
      const started = performance.now();
      body = await get(path);
      millis.push(performance.now() - started);
    }
    millis.sort((a, b) => a - b);
    console.log(
      `${label.padEnd(34)} median ${millis[Math.floor(ROUNDS / 2)]!.toFixed(1).padStart(8)} ms`,
    );
    return body;
  };

  const monthAgo = new Date(now - 30 * 24 * HOUR_MILLIS).toISOString();
  const month = `from=${monthAgo}&to=${new Date(now + 60_000).toISOString()}`;
  const { lists } = (await get('/api/v1/lists')) as {
    lists: Array<{ name: string; timeRange: boolean }>;
  };
  for (const { name: list, timeRange } of lists) {
    const ranged = timeRange ? `&${month}` : '';
    const first = await time(`list ${list}, first page`, `/api/v1/lists/${list}?limit=50${ranged}`);
    if (typeof first.nextCursor === 'string') {
      await time(
        `list ${list}, next page`,
        `/api/v1/lists/${list}?limit=50${ranged}&after=${encodeURIComponent(first.nextCursor)}`,
      );
    }
  }
  await time('search "bench-00"', '/api/v1/search?q=bench-00&limit=8');
  const [machine] = await hub.context.store.query<{ id: string }>(
    'SELECT id FROM machines WHERE hostname = $1',
    [firstMachine],
  );
  await time('machine page, a month', `/api/v1/machines/${machine!.id}?${month}`);
  const firstAccount = `${firstMachine.replace(/\W/g, '')}@CORP.EXAMPLE`;
  await time(
    'user page history, a month',
    `/api/v1/users/${encodeURIComponent(firstAccount)}/history?${month}`,
  );
  await time('overview', '/api/v1/dashboard/overview');
} finally {
  await hub.cleanup();
}
