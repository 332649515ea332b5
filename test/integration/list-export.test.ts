/**
 * Exports of the inspectors' lists: CSV, JSON and NDJSON hold exactly the list's rows, a
 * export of 300,000 rows streams with flat memory, a client that goes away stops the reading,
 * and every export is counted and written to the change log; on the store under test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parse } from 'csv-parse/sync';
import { createApiToken } from '../../src/hub/credentials.js';
import { exportChunkRows } from '../../src/hub/lists/list-export.js';
import { storeCallbacks } from '../../src/intake/store-callbacks.js';
import { realisticCallback } from '../support/realistic-callback.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { addTestComponent, storeKind } from '../support/test-store.js';

type Row = Record<string, unknown>;

/**
 * Rows of the large export, made in the store with generate_series: 300,000 on a server;
 * 150,000 on the embedded store, which hands rows over at some thousands a second.
 */
const bulkRows = storeKind === 'postgres' ? 300_000 : 150_000;

// A collection before each measure, so the baseline holds no garbage of earlier work.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

describe(`exports of the lists (${storeKind} store)`, () => {
  let hub: TestHub;
  let token: string;
  let machineId: string;
  let bulkMachineId: string;

  const fetchAs = (path: string, init: RequestInit = {}) =>
    fetch(`${hub.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}` } });

  const listRows = async (query: string) => {
    const rows: Row[] = [];
    let cursor: string | null = null;
    do {
      const response = await fetchAs(
        `/api/v1/lists/processes?limit=7${query}${cursor ? `&after=${cursor}` : ''}`,
      );
      const page = (await response.json()) as { rows: Row[]; nextCursor: string | null };
      rows.push(...page.rows);
      cursor = page.nextCursor;
    } while (cursor);
    return rows;
  };

  const exportEntries = () =>
    hub.context.store.query<{ actor: string; subject: string; detail: Row }>(
      "SELECT actor, subject, detail FROM change_log WHERE action = 'list.export' ORDER BY id",
    );

  const until = async <T>(what: string, probe: () => Promise<T | undefined>) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  before(async () => {
    hub = await startTestHub();
    token = (await createApiToken(hub.context.store, { role: 'viewer', actor: 'test' })).token;
    for (const host of ['export-a', 'export-b']) {
      const agentId = await addTestComponent(hub.context.store, 'agent', host);
      const callbacks = [1, 3].map((hours) => ({
        agentId,
        callback: realisticCallback(host, new Date(Date.now() - hours * 3_600_000)),
      }));
      const outcome = await storeCallbacks(hub.context.store, callbacks);
      machineId = outcome.callbacks[0]!.machineId;
    }
    // One machine with 300,000 process rows over the last hour, made by the store itself.
    const bulkAgent = await addTestComponent(hub.context.store, 'agent', 'bulk');
    const bulk = await storeCallbacks(hub.context.store, [
      {
        agentId: bulkAgent,
        callback: realisticCallback('bulk-desk', new Date(Date.now() - 7_200_000)),
      },
    ]);
    bulkMachineId = bulk.callbacks[0]!.machineId;
    await hub.context.store.query(
      `INSERT INTO process_samples (machine_id, sampled_at, callback_id, pid, parent_pid, name,
         command, account, cpu_percent, memory_rss_bytes, started_at)
       SELECT $1::uuid, now() - (g % 3000) * interval '1 second', $2::uuid, g, 1,
         'bulk-' || (g % 50), '/usr/bin/bulk --job=' || g || ' --say="a, b ""quoted"" line"',
         'bulk@CORP.EXAMPLE', (g % 100)::real, g::bigint * 1000, now() - interval '1 day'
       FROM generate_series(1, $3::int) g`,
      [bulkMachineId, bulk.callbacks[0]!.callbackId, bulkRows],
    );
    // A server's autovacuum would gather the new rows' statistics; the embedded store has none.
    await hub.context.store.query('ANALYZE process_samples');
    // The embedded store's page cache lives in this process: fill it before measuring, through
    // the index the export reads by (a sequential read would go through a small ring only).
    await hub.context.store.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      await tx.query('SELECT sum(length(command)) FROM process_samples WHERE machine_id = $1', [
        bulkMachineId,
      ]);
    });
  });
  after(async () => {
    await hub?.cleanup();
  });

  it('exports CSV, JSON and NDJSON holding exactly the rows the list shows', async () => {
    const query = `&machine=${machineId}&sort=cpuPercent&order=desc`;
    const expected = await listRows(query);
    assert.equal(expected.length, 120);

    const csv = await fetchAs(`/api/v1/lists/processes/export?format=csv${query}`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type')!, /^text\/csv/);
    assert.match(
      csv.headers.get('content-disposition')!,
      /^attachment; filename="strata-processes-[\dTZ-]+\.csv"$/,
    );
    const text = await csv.text();
    assert.ok(text.includes('\r\n'), 'CSV lines end in CRLF');
    const records = parse(text, { columns: true }) as Array<Record<string, string>>;
    assert.deepEqual(
      records,
      expected.map((row) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? '' : String(v)])),
      ),
    );

    const json = await fetchAs(`/api/v1/lists/processes/export?format=json${query}`);
    assert.match(json.headers.get('content-disposition')!, /\.json"$/);
    assert.deepEqual(JSON.parse(await json.text()), expected);

    const ndjson = await fetchAs(`/api/v1/lists/processes/export?format=ndjson${query}`);
    const lines = (await ndjson.text()).trimEnd().split('\n');
    assert.deepEqual(
      lines.map((line) => JSON.parse(line)),
      expected,
    );

    const empty = await fetchAs('/api/v1/lists/processes/export?format=json&q=no-such-process');
    assert.deepEqual(JSON.parse(await empty.text()), []);
    const emptyCsv = await fetchAs('/api/v1/lists/logons/export?q=no-such-logon');
    assert.equal(
      (await emptyCsv.text()).split('\r\n')[0],
      'at,machineId,callbackId,hostname,user,' +
        'event,terminal,fromAddress,durationMillis,sessionMillis',
    );
  });

  it('writes each export to the change log and counts it', async () => {
    const entries = await until('five export entries', async () => {
      const rows = await exportEntries();
      return rows.length >= 5 ? rows : undefined;
    });
    const first = entries[0]!;
    assert.equal(first.subject, 'processes');
    assert.match(first.actor, /^token:/);
    assert.equal(first.detail.rows, 120);
    assert.equal(first.detail.completed, true);
    assert.equal(first.detail.format, 'csv');
    assert.equal((first.detail.filters as Row).machine, machineId);
    const status = await fetchAs('/api/v1/status');
    const { intake } = (await status.json()) as { intake: Record<string, number> };
    assert.equal(intake.exportsStarted, 5);
    assert.equal(intake.exportsCompleted, 5);
    assert.equal(intake.exportRows, 360);
  });

  it(`streams ${bulkRows} rows with memory well below their size`, async () => {
    collectGarbage();
    const before = process.memoryUsage();
    // Memory the export holds: measured after a collection every few megabytes received, so
    // garbage not yet collected does not count, and what stays referenced does. The process
    // takes some memory as the export starts (buffers, the allocator's arenas); past the
    // first quarter of the data, flat memory grows no more.
    const peak = { heapUsed: 0, rss: 0, rssAtQuarter: 0 };
    let bytes = 0;
    let measuredAt = 0;
    const measure = () => {
      collectGarbage();
      const now = process.memoryUsage();
      peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed - before.heapUsed);
      peak.rss = Math.max(peak.rss, now.rss - before.rss);
      if (bytes < expectedBytes / 4) peak.rssAtQuarter = peak.rss;
      measuredAt = bytes;
    };
    // Each row is at least this long; the exact size is known only at the end.
    const expectedBytes = bulkRows * 200;

    const response = await fetchAs(
      `/api/v1/lists/processes/export?format=csv&machine=${bulkMachineId}`,
    );
    const pids = new Uint8Array(bulkRows + 1);
    let tail = '';
    for await (const chunk of response.body!) {
      bytes += chunk.byteLength;
      if (bytes - measuredAt > 4_000_000) measure();
      // Each bulk row's pid is the number after "--job=": every one must come exactly once.
      const text = tail + Buffer.from(chunk).toString('utf8');
      const cut = text.lastIndexOf('\r\n');
      for (const match of text.slice(0, cut).matchAll(/--job=(\d+) /g))
        pids[Number(match[1])]! += 1;
      tail = text.slice(cut + 2);
    }
    measure();

    assert.equal(pids.slice(1).filter((count) => count === 1).length, bulkRows);
    assert.ok(bytes > expectedBytes, `the export is ${bytes} bytes`);
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    const laterRss = peak.rss - peak.rssAtQuarter;
    const figures =
      `heap grew ${mb(peak.heapUsed)}, RSS ${mb(peak.rss)} ` +
      `(${mb(laterRss)} past the first quarter), data ${mb(bytes)}`;
    console.log(`# ${figures}`);
    // Holding the rows would take several times their text size; a chunk is a few megabytes.
    assert.ok(peak.heapUsed < bytes / 5, figures);
    // The embedded store's database runs inside this process: its page cache and its
    // WebAssembly heap (which never shrinks) show in RSS too, so RSS speaks for the hub only
    // on a server.
    if (storeKind === 'postgres') assert.ok(laterRss < bytes / 5, figures);
  });

  it('stops reading the store when the client goes away', async () => {
    const controller = new AbortController();
    const response = await fetch(
      `${hub.url}/api/v1/lists/processes/export?format=ndjson&machine=${bulkMachineId}`,
      { headers: { authorization: `Bearer ${token}` }, signal: controller.signal },
    );
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();

    const entry = await until('the stopped export in the change log', async () => {
      const rows = await exportEntries();
      return rows.find(
        (row) =>
          row.detail.format === 'ndjson' &&
          row.subject === 'processes' &&
          (row.detail.filters as Row).machine === bulkMachineId,
      );
    });
    assert.equal(entry.detail.completed, false);
    assert.ok(
      (entry.detail.rows as number) <= 4 * exportChunkRows,
      `read ${String(entry.detail.rows)} rows after the client went away`,
    );
    const status = await fetchAs('/api/v1/status');
    const { intake } = (await status.json()) as { intake: Record<string, number> };
    assert.equal(intake.exportsStopped, 1);
    if (storeKind === 'postgres') {
      // No query of the export is left running on the server.
      await until('the export query to end', async () => {
        const [running] = await hub.context.store.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()
             AND state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%process_samples p%'`,
        );
        return running!.n === 0 ? true : undefined;
      });
    }
  });
});
