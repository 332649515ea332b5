import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createApiToken } from '../../src/hub/credentials.js';
import { storeKind } from '../support/test-store.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';

const cliMain = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const run = promisify(execFile);

describe(`retention settings over the API and the console (${storeKind} store)`, () => {
  let base: string;
  let hub: TestHub;
  let admin: string;
  let viewer: string;

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'strata-retention-'));
    hub = await startTestHub({ dataDir: join(base, 'hub') });
    admin = (await createApiToken(hub.context.store, { role: 'administrator', actor: 'test' }))
      .token;
    viewer = (await createApiToken(hub.context.store, { role: 'viewer', actor: 'test' })).token;
  });

  after(async () => {
    await hub?.cleanup();
    await rm(base, { recursive: true, force: true });
  });

  const call = (method: string, token: string, body?: object) =>
    fetch(`${hub.url}/api/v1/settings/retention`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });

  it('shows the defaults, takes a change from an administrator, and logs it', async () => {
    const defaults = await (await call('GET', viewer)).json();
    const changed = await call('PUT', admin, { detailDays: 14, ceilingBytes: 5_000_000_000 });
    const byViewer = await call('PUT', viewer, { detailDays: 1 });

    assert.deepEqual(defaults, { detailDays: 30, ceilingBytes: null });
    assert.equal(changed.status, 200);
    assert.deepEqual(await changed.json(), { detailDays: 14, ceilingBytes: 5_000_000_000 });
    assert.equal(byViewer.status, 403);
    const [entry] = await hub.context.store.query<{ detail: Record<string, any> }>(
      "SELECT detail FROM change_log WHERE action = 'retention.settings' ORDER BY id DESC",
    );
    assert.deepEqual(entry!.detail.after, { detailDays: 14, ceilingBytes: 5_000_000_000 });
  });

  it('refuses settings out of range with a stable code, and changes nothing', async () => {
    const refused = [
      await call('PUT', admin, { detailDays: 0 }),
      await call('PUT', admin, { detailDays: 2.5 }),
      await call('PUT', admin, { ceilingBytes: 1_000 }),
      await call('PUT', admin, { keepForever: true }),
    ];

    for (const response of refused) {
      assert.equal(response.status, 400);
      const body = (await response.json()) as { code: string; message: string };
      assert.equal(typeof body.code, 'string');
      assert.ok(body.message.length > 0);
    }
    assert.deepEqual(await (await call('GET', viewer)).json(), {
      detailDays: 14,
      ceilingBytes: 5_000_000_000,
    });
  });

  it('is shown and set with strata admin retention; removing the ceiling takes off', async () => {
    const store = [
      '--data-dir',
      base,
      ...(hub.databaseUrl ? ['--database-url', hub.databaseUrl] : []),
    ];
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', cliMain, 'admin', 'retention', ...args, ...store]);

    const set = await cli('set', '--detail-days', '45', '--ceiling', 'off');
    const [shown, refused] = await Promise.all([
      cli('show'),
      cli('set', '--ceiling', 'lots').catch((error: { stderr: string }) => error),
    ]);

    assert.deepEqual(JSON.parse(set.stdout), { detailDays: 45, ceilingBytes: null });
    assert.deepEqual(JSON.parse(shown.stdout), { detailDays: 45, ceilingBytes: null });
    assert.match((refused as { stderr: string }).stderr, /--ceiling must be a size/);
  });

  it('shows each job, its last run and the partitions in the hub status', async () => {
    await hub.context.jobs.runJobNow('partition-maintenance');
    await hub.context.jobs.runJobNow('retention');

    const response = await fetch(`${hub.url}/api/v1/status`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    const status = (await response.json()) as {
      jobs: Array<{ name: string; runs: number; lastOutcome: string }>;
      timeSeries: { partitions: number; retention: { detailDays: number } };
    };

    assert.deepEqual(
      status.jobs.map((job) => [job.name, job.runs, job.lastOutcome]),
      [
        ['partition-maintenance', 1, 'ok'],
        ['retention', 1, 'ok'],
      ],
    );
    assert.equal(status.timeSeries.partitions, 12 * 8);
    assert.equal(status.timeSeries.retention.detailDays, 45);
    const metrics = await fetch(`${hub.url}/metrics`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    const text = await metrics.text();
    assert.match(text, /^strata_job_runs_total\{job="retention"\} 1$/m);
    assert.match(text, /^strata_time_series_partitions 96$/m);
  });
});
