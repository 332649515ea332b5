/**
 * Whole-store backup and restore: a backup taken over the API from a running hub is restored
 * into a wiped store with every row as it was and the change log chain intact; a store that
 * holds data is replaced only when forced; a damaged, altered or newer file is refused and
 * the store is left exactly as it was. The console backup goes through a running hub.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import pg from 'pg';
import { runConsoleOperation } from '../../src/cli/console-session.js';
import { verifyChangeLog } from '../../src/hub/change-log-audit.js';
import { startHub } from '../../src/hub/hub.js';
import { restoreStore } from '../../src/hub/store-admin.js';
import { createLogger } from '../../src/shared/logger.js';
import { checkBackup, type BackupManifest } from '../../src/store/backup-file.js';
import { openPgliteStore } from '../../src/store/pglite-store.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { allRows } from '../support/store-rows.js';
import { sessionCall, startTestHub, testAdminPassword, type TestHub } from '../support/test-hub.js';
import { addTestComponent, storeKind } from '../support/test-store.js';
import { storeCallbacks } from '../../src/intake/store-callbacks.js';
import { realisticCallback, realisticRows } from '../support/realistic-callback.js';

describe(`backup and restore of the whole store (${storeKind} store)`, () => {
  let hub: TestHub;
  let cookie: string;
  let folder: string;
  let backupFile: string;
  let rowsBefore: Record<string, string[]>;
  const progress: string[] = [];
  const warnings: string[] = [];

  const openHubStore = (): Promise<Store> =>
    hub.databaseUrl
      ? openPostgresStore(hub.databaseUrl)
      : openPgliteStore(join(hub.dataDir, 'store'));
  const withStore = async <T>(work: (store: Store) => Promise<T>): Promise<T> => {
    const store = await openHubStore();
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  };
  const restore = (file: string, force = false) =>
    restoreStore({
      hubDir: hub.dataDir,
      databaseUrl: hub.databaseUrl,
      file,
      force,
      progress: (table, rows) => progress.push(`${table} ${rows}`),
      warn: (message) => warnings.push(message),
    });
  // The restore adds its own entry to the change log; the rest must be as backed up.
  const withoutRestoreEntries = (rows: Record<string, string[]>) => ({
    ...rows,
    change_log: rows.change_log!.filter((row) => !row.includes('"store.restore"')),
  });

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'strata-backup-'));
    backupFile = join(folder, 'site.backup.gz');
    hub = await startTestHub({ dataDir: join(folder, 'hub') });
    cookie = await hub.signInAsAdmin();
    const headers = { cookie, 'x-strata-request': '1', 'content-type': 'application/json' };
    const person = await fetch(`${hub.url}/api/v1/people`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'back\\slash\tand tab', role: 'viewer' }),
    });
    assert.equal(person.status, 200);
    // Time series in day partitions too: they go into the backup through their tables.
    const agentId = await addTestComponent(hub.context.store, 'agent', 'desk-backup');
    await storeCallbacks(
      hub.context.store,
      [0, 2].map((daysAgo) => ({
        agentId,
        callback: realisticCallback('desk-backup', new Date(Date.now() - daysAgo * 86_400_000)),
      })),
    );
    await hub.context.jobs.runJobNow('partition-maintenance');
    // Another program's table in the same database: never part of a backup.
    await hub.context.store.query('CREATE TABLE other_program_notes (note text)');
    await hub.context.store.query("INSERT INTO other_program_notes VALUES ('not ours')");
    const [filed] = await hub.context.store.query<{ n: number }>(
      "SELECT count(*)::integer AS n FROM pg_class WHERE relname LIKE 'process_samples_p%'",
    );
    assert.ok(filed!.n > 0, 'day partitions exist');
    rowsBefore = await allRows(hub.context.store);
    assert.equal(rowsBefore.process_samples!.length, 2 * realisticRows.process_samples);

    const response = await fetch(`${hub.url}/api/v1/admin/backup`, {
      method: 'POST',
      headers: { cookie, 'x-strata-request': '1' },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/gzip');
    await writeFile(backupFile, Buffer.from(await response.arrayBuffer()));
  });
  after(async () => {
    await hub?.cleanup();
    await rm(folder, { recursive: true, force: true });
  });

  it('streams a backup over the API whose manifest matches the store', async () => {
    const manifest = await checkBackup(backupFile);
    const sizes = Object.fromEntries(
      Object.entries(rowsBefore).map(([name, rows]) => [name, rows.length]),
    );
    assert.deepEqual(
      Object.fromEntries(manifest.tables.map((table) => [table.name, table.rows])),
      sizes,
    );
    assert.equal(manifest.store, storeKind);
    assert.ok(!manifest.tables.some((table) => table.name === 'other_program_notes'));
    assert.ok(
      !gunzipSync(await readFile(backupFile))
        .toString()
        .includes('not ours'),
    );
    assert.equal(manifest.siteId, hub.context.identity.siteId);
  });

  it('writes a backup from the console through the running hub', async () => {
    const file = join(folder, 'console.backup.gz');
    const manifest = (await runConsoleOperation(
      { dataDir: folder, databaseUrl: hub.databaseUrl },
      'store-backup',
      { file },
    )) as BackupManifest;
    assert.deepEqual(await checkBackup(file), manifest);
    const entries = await hub.context.store.query<{ action: string }>(
      "SELECT action FROM change_log WHERE action = 'store.backup'",
    );
    assert.ok(entries.length >= 1, 'the backup is in the change log');
  });

  it('lets go of the store when the reader of an API backup goes away', async () => {
    // Some megabytes that do not compress, so the backup outruns the reader's buffers.
    await hub.context.store.query(
      `INSERT INTO hub_settings (key, value)
       SELECT 'filler-' || n, to_jsonb(string_agg(md5(n::text || '-' || k::text), ''))
       FROM generate_series(1, 40) n, generate_series(1, 4000) k GROUP BY n`,
    );
    const backupsLogged = () =>
      hub.context.store.query("SELECT 1 FROM change_log WHERE action = 'store.backup'");
    const loggedBefore = (await backupsLogged()).length;
    // A reader that takes the first bytes and hangs up (closing its connection).
    await new Promise<void>((resolve, reject) => {
      const url = new URL(`${hub.url}/api/v1/admin/backup`);
      const headers = { cookie, 'x-strata-request': '1' };
      const call = request(url, { method: 'POST', headers }, (response) => {
        response.once('data', () => {
          call.destroy();
          resolve();
        });
      });
      call.on('error', (error) => (call.destroyed ? undefined : reject(error)));
      call.end();
    });

    // The store answers again: the backup's snapshot transaction ended with its reader.
    const after = await sessionCall(hub.url, cookie)('GET', '/api/v1/policies');
    assert.equal(after.status, 200);
    await hub.context.store.query("DELETE FROM hub_settings WHERE key LIKE 'filler-%'");
    const logged = (await backupsLogged()).length;
    assert.equal(logged, loggedBefore, 'an unfinished backup is not logged as taken');
  });

  it('refuses to restore while the hub runs, touching nothing', async () => {
    const before = await allRows(hub.context.store);
    await assert.rejects(restore(backupFile, true), /is running|a hub is connected/);
    assert.deepEqual(await allRows(hub.context.store), before);
  });

  it('restores into a wiped store with every row and an intact change log', async () => {
    await hub.close();
    await wipe(hub);
    progress.length = 0;

    await restore(backupFile);

    assert.equal(progress.length, Object.keys(rowsBefore).length, 'a progress line per table');
    await withStore(async (store) => {
      const rows = await allRows(store);
      assert.deepEqual(withoutRestoreEntries(rows), rowsBefore);
      assert.equal((await verifyChangeLog(store)).status, 'intact');
      const [last] = await store.query<{ action: string }>(
        'SELECT action FROM change_log ORDER BY id DESC LIMIT 1',
      );
      assert.equal(last!.action, 'store.restore');
    });
  });

  it('refuses a store holding data unless forced, then replaces it', async () => {
    await assert.rejects(restore(backupFile), /holds data .* --force/);
    assert.deepEqual(warnings, []);

    await restore(backupFile, true);

    assert.match(warnings[0]!, /replacing everything/);
    await withStore(async (store) => {
      assert.deepEqual(withoutRestoreEntries(await allRows(store)), rowsBefore);
      assert.equal((await verifyChangeLog(store)).status, 'intact');
    });
  });

  it('refuses damaged, altered, cut short and newer files, touching nothing', async () => {
    const original = await readFile(backupFile);
    const text = gunzipSync(original).toString('utf8');
    const lines = text.split('\n');
    const manifestLine = lines.findIndex((line) => line.startsWith('manifest '));
    // A file rewritten with a changed header and manifest, sealed with a fresh checksum.
    const resealed = (
      change: (fields: Record<string, unknown>) => void,
      rows: string[] = lines.slice(1, manifestLine),
    ) => {
      const parse = (line: string, prefix: string) =>
        JSON.parse(line.slice(prefix.length)) as Record<string, unknown>;
      const header = parse(lines[0]!, 'strata-backup ');
      const manifest = parse(lines[manifestLine]!, 'manifest ');
      change(header);
      change(manifest);
      const body = [`strata-backup ${JSON.stringify(header)}`, ...rows];
      const content = `${body.join('\n')}\n`;
      manifest.sha256 = createHash('sha256').update(content).digest('hex');
      return gzipSync(`${content}manifest ${JSON.stringify(manifest)}\n`);
    };
    const flipped = Buffer.from(original);
    flipped[Math.floor(flipped.length / 2)]! ^= 0xff;
    const cases: Array<[string, Buffer, RegExp]> = [
      ['flipped', flipped, /cannot be read|damaged/],
      [
        'altered',
        gzipSync(text.replace('"Default agent policy"', '"Changed policy"')),
        /checksum does not match/,
      ],
      ['cut short', gzipSync(lines.slice(0, manifestLine).join('\n')), /cut short/],
      [
        'newer',
        resealed((fields) => (fields.schemaVersion = 9_999)),
        /schema version 9999, newer than this Strata/,
      ],
      ['not a backup', gzipSync('hello\n'), /not a Strata backup/],
      [
        'a row the store refuses, sealed anew',
        resealed(() => undefined, withBadPolicyVersion(lines.slice(1, manifestLine))),
        /could not be loaded .*invalid input syntax.*left as it was/,
      ],
    ];
    const before = await withStore(allRows);

    for (const [name, bytes, refusal] of cases) {
      const file = join(folder, `${name}.gz`);
      await writeFile(file, bytes);
      await assert.rejects(restore(file, true), refusal, name);
    }

    assert.deepEqual(await withStore(allRows), before);
  });

  it('starts a hub on the restored store, where the administrator signs in', async () => {
    const restarted = await startHub({
      dataDir: hub.dataDir,
      databaseUrl: hub.databaseUrl,
      port: 0,
      logger: createLogger({ level: 'silent' }),
    });
    try {
      const response = await fetch(`${restarted.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-strata-request': '1' },
        body: JSON.stringify({ name: 'admin', password: testAdminPassword }),
      });
      assert.equal(response.status, 200);
    } finally {
      await restarted.close();
    }
  });
});

/** Removes everything the store holds, as a lost disk or a dropped database would. */
async function wipe(hub: TestHub): Promise<void> {
  if (!hub.databaseUrl) {
    await rm(join(hub.dataDir, 'store'), { recursive: true, force: true });
    return;
  }
  const client = new pg.Client({ connectionString: hub.databaseUrl });
  await client.connect();
  try {
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  } finally {
    await client.end();
  }
}

/** The backup's rows with the first policy's version made text, which the store refuses. */
function withBadPolicyVersion(rows: string[]): string[] {
  const header = rows.findIndex((line) => line.startsWith('table policies '));
  const column = rows[header]!.split(' ')[2]!.split(',').indexOf('version');
  const fields = rows[header + 1]!.split('\t');
  fields[column] = 'notanumber';
  return rows.map((line, i) => (i === header + 1 ? fields.join('\t') : line));
}
