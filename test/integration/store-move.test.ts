/**
 * Moving a hub's embedded store to a PostgreSQL server with `strata admin store move`: every
 * row arrives as it was, the new location is kept in the data folder, the next hub starts on
 * it and people sign in as before; a running hub or a database holding data is refused.
 * Also a backup of the embedded store restored into PostgreSQL.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveSettings } from '../../src/cli/settings.js';
import { verifyChangeLog } from '../../src/hub/change-log-audit.js';
import { createApiToken } from '../../src/hub/credentials.js';
import { startHub } from '../../src/hub/hub.js';
import { backupToFile, moveStore, restoreStore } from '../../src/hub/store-admin.js';
import { createLogger } from '../../src/shared/logger.js';
import { openPgliteStore } from '../../src/store/pglite-store.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';
import { storeLocationFile } from '../../src/store/store-location-file.js';
import { allRows, tableSizes } from '../support/store-rows.js';
import { startTestHub, testAdminPassword, type TestHub } from '../support/test-hub.js';
import { createTestDatabase, serverUrl } from '../support/test-store.js';

// The move needs both stores at once: it runs in the suite's pass against a PostgreSQL server
// (CI runs both passes), and is left out of the embedded-only pass.
const needsServer = serverUrl ? false : 'runs in the pass against a PostgreSQL server';

async function signIn(url: string): Promise<number> {
  const response = await fetch(`${url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-strata-request': '1' },
    body: JSON.stringify({ name: 'admin', password: testAdminPassword }),
  });
  return response.status;
}

describe('moving the embedded store to PostgreSQL', { skip: needsServer }, () => {
  let hub: TestHub;
  let hubDir: string;
  const databases: Array<{ url: string; drop: () => Promise<void> }> = [];
  const newDatabase = async () => {
    const database = await createTestDatabase();
    databases.push(database);
    return database.url;
  };

  before(async () => {
    hubDir = join(await mkdtemp(join(tmpdir(), 'strata-move-')), 'hub');
    hub = await startTestHub({ dataDir: hubDir }, { embedded: true });
    const cookie = await hub.signInAsAdmin();
    await createApiToken(hub.context.store, { role: 'viewer', label: 'moved', actor: 'test' });
    const response = await fetch(`${hub.url}/api/v1/people`, {
      method: 'POST',
      headers: { cookie, 'x-strata-request': '1', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'operator one', role: 'operator' }),
    });
    assert.equal(response.status, 200);
  });
  after(async () => {
    await hub?.cleanup();
    for (const database of databases) await database.drop();
  });

  it('refuses while the hub runs, and copies nothing', async () => {
    const url = await newDatabase();
    await assert.rejects(
      moveStore(hubDir, url, () => undefined),
      /is running \(process \d+\)/,
    );
    assert.equal(existsSync(join(hubDir, storeLocationFile)), false);
  });

  it('copies every row, keeps the location, and the next hub signs people in', async () => {
    await hub.close();
    const url = await newDatabase();
    const lines: string[] = [];

    const moved = await moveStore(hubDir, url, (table, rows) => lines.push(`${table} ${rows}`));

    const source = await openPgliteStore(join(hubDir, 'store'));
    const target = await openPostgresStore(url);
    try {
      const [before, afterMove] = [await allRows(source), await allRows(target)];
      // The target also holds the move's own change log entry, last in its chain.
      const moveEntry = afterMove.change_log!.find((row) => row.includes('"store.move"'));
      assert.ok(moveEntry, 'the move is in the change log');
      afterMove.change_log = afterMove.change_log!.filter((row) => row !== moveEntry);
      assert.deepEqual(afterMove, before);
      assert.ok(before.people!.length === 2 && before.api_tokens!.length === 1);
      assert.deepEqual(await verifyChangeLog(target).then((check) => check.status), 'intact');
      assert.equal(lines.length, Object.keys(before).length, 'a progress line per table');
      assert.deepEqual(moved.rows, await tableSizes(source));
    } finally {
      await source.close();
      await target.close();
    }

    const settings = resolveSettings({ dataDir: join(hubDir, '..') });
    assert.equal(settings.databaseUrl, url);
    const restarted = await startHub({
      dataDir: hubDir,
      databaseUrl: settings.databaseUrl,
      port: 0,
      logger: createLogger({ level: 'silent' }),
    });
    try {
      assert.equal(restarted.context.store.kind, 'postgres');
      assert.equal(await signIn(restarted.url), 200);
    } finally {
      await restarted.close();
    }
  });

  it('refuses a second move, and a database that holds data, touching neither', async () => {
    const [url] = [databases.at(-1)!.url];
    await assert.rejects(
      moveStore(hubDir, url, () => undefined),
      /moved to .* already/,
    );

    await rm(join(hubDir, storeLocationFile));
    const target = await openPostgresStore(url);
    try {
      const before = await tableSizes(target);
      await assert.rejects(
        moveStore(hubDir, url, () => undefined),
        /holds data already/,
      );
      assert.deepEqual(await tableSizes(target), before);
    } finally {
      await target.close();
    }
    // Nor a database that holds another program's tables, even empty ones of Strata's.
    const shared = await newDatabase();
    const other = await openPostgresStore(shared);
    try {
      await other.query('CREATE TABLE other_program_notes (note text)');
      await assert.rejects(moveStore(hubDir, shared, () => undefined), /other_program_notes/);
    } finally {
      await other.close();
    }
  });

  it('restores a backup of the embedded store into PostgreSQL', async () => {
    const file = join(hubDir, '..', 'embedded.backup.gz');
    const source = await openPgliteStore(join(hubDir, 'store'));
    let before: Record<string, string[]>;
    try {
      before = await allRows(source);
      await backupToFile(source, file, 'console');
    } finally {
      await source.close();
    }
    const url = await newDatabase();

    await restoreStore({
      hubDir,
      databaseUrl: url,
      file,
      force: false,
      progress: () => undefined,
      warn: () => undefined,
    });

    const target = await openPostgresStore(url);
    try {
      const restored = await allRows(target);
      restored.change_log = restored.change_log!.filter((row) => !row.includes('store.restore'));
      assert.deepEqual(restored, before);
      assert.equal((await verifyChangeLog(target)).status, 'intact');
    } finally {
      await target.close();
    }
  });
});
