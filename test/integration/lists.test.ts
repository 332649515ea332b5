/**
 * The inspectors' lists over callbacks stored by the real intake: each list's rows, filters
 * and sorts, keyset paging that walks every row once however many ties, and refusals that
 * name the bad field; on the store under test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { recordChange } from '../../src/hub/change-log.js';
import { createApiToken } from '../../src/hub/credentials.js';
import { listDefinitions } from '../../src/hub/lists/list-definitions.js';
import { storeCallbacks } from '../../src/intake/store-callbacks.js';
import { realisticCallback, realisticRows } from '../support/realistic-callback.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { addTestComponent, storeKind } from '../support/test-store.js';

type Row = Record<string, unknown>;
interface Page {
  list: string;
  columns: Array<{ key: string; label: string; type: string }>;
  rows: Row[];
  nextCursor: string | null;
  total: number | null;
}

const hourMillis = 3_600_000;
const hosts = ['desk-alpha', 'desk-bravo', 'lab-charlie'];

describe(`lists for the inspectors (${storeKind} store)`, () => {
  let hub: TestHub;
  let token: string;
  let adminToken: string;
  const machineIds = new Map<string, string>();

  // The change log's list is for administrators; every other list is read as a viewer.
  const get = async (path: string, as = path.includes('/lists/changes') ? adminToken : token) => {
    const response = await fetch(`${hub.url}${path}`, {
      headers: { authorization: `Bearer ${as}` },
    });
    return { status: response.status, body: (await response.json()) as Page & Row };
  };
  const page = async (path: string) => {
    const { status, body } = await get(path);
    assert.equal(status, 200, `${path}: ${JSON.stringify(body)}`);
    return body;
  };

  /** Every row of a list, page by page, following the cursors. */
  const walk = async (list: string, query: string, limit: number) => {
    const rows: Row[] = [];
    let cursor: string | null = null;
    let first: Page | null = null;
    do {
      const after: string = cursor ? `&after=${cursor}` : '';
      const current = await page(`/api/v1/lists/${list}?limit=${limit}${query}${after}`);
      first ??= current;
      assert.ok(current.rows.length <= limit);
      rows.push(...current.rows);
      cursor = current.nextCursor;
    } while (cursor);
    return { rows, total: first!.total };
  };

  before(async () => {
    hub = await startTestHub();
    token = (await createApiToken(hub.context.store, { role: 'viewer', actor: 'test' })).token;
    adminToken = (await createApiToken(hub.context.store, { role: 'administrator', actor: 'test' }))
      .token;
    for (let i = 0; i < 20; i++) {
      const entry = { actor: `test-${i % 2}`, action: 'test.entry', subject: `s${i % 3}` };
      await recordChange(hub.context.store, { ...entry, detail: { i } });
    }
    const now = Date.now();
    // Two callbacks per machine within the last day, and one two days ago (outside it).
    for (const [i, host] of hosts.entries()) {
      const agentId = await addTestComponent(hub.context.store, 'agent', host);
      const batch = [2, 5 + i, 48].map((hours) => ({
        agentId,
        callback: realisticCallback(host, new Date(now - hours * hourMillis)),
      }));
      const outcome = await storeCallbacks(hub.context.store, batch);
      machineIds.set(host, outcome.callbacks[0]!.machineId);
    }
  });
  after(async () => {
    await hub?.cleanup();
  });

  it('describes every list with its columns, filters and sorts', async () => {
    const { lists } = (await page('/api/v1/lists')) as unknown as {
      lists: Array<{ name: string; columns: Array<{ key: string; type: string }>; sorts: [] }>;
    };
    assert.deepEqual(
      lists.map((list) => list.name),
      [
        ...['machines', 'users', 'applications', 'processes', 'logons', 'connections'],
        ...['destinations', 'agents'],
      ],
    );
    const types = new Set(['text', 'number', 'bytes', 'percent', 'time', 'duration']);
    for (const list of lists) {
      assert.ok(list.columns.length > 0 && list.sorts.length > 0, list.name);
      for (const column of list.columns) assert.ok(types.has(column.type), column.key);
    }
  });

  it('lists the machines by name, with their ids, and filters them', async () => {
    const all = await page('/api/v1/lists/machines');
    assert.deepEqual(
      all.rows.map((row) => row.hostname),
      hosts,
    );
    assert.equal(all.total, 3);
    assert.equal(all.rows[0]!.machineId, machineIds.get('desk-alpha'));
    assert.equal(all.rows[0]!.cpuPercent, 23.5);
    assert.ok(all.columns.some((column) => column.key === 'memoryUsedBytes'));

    const desks = await page('/api/v1/lists/machines?q=DESK&sort=hostname&order=desc');
    assert.deepEqual(
      desks.rows.map((row) => row.hostname),
      ['desk-bravo', 'desk-alpha'],
    );
    const ofUser = await page('/api/v1/lists/machines?user=labcharlie@CORP.EXAMPLE');
    assert.deepEqual(
      ofUser.rows.map((row) => row.hostname),
      ['lab-charlie'],
    );
  });

  it('lists users with the machines they used', async () => {
    const users = await page('/api/v1/lists/users?sort=user');
    assert.deepEqual(
      users.rows.map((row) => [row.user, row.machines, row.lastMachine]),
      hosts.map((host) => [`${host.replace('-', '')}@CORP.EXAMPLE`, 1, host]),
    );
    const onBravo = await page(`/api/v1/lists/users?machine=${machineIds.get('desk-bravo')}`);
    assert.deepEqual(
      onBravo.rows.map((row) => row.user),
      ['deskbravo@CORP.EXAMPLE'],
    );
  });

  it('reads time series within the last day unless asked for another range', async () => {
    const recent = await page('/api/v1/lists/processes?limit=500');
    assert.equal(recent.total, hosts.length * 2 * realisticRows.process_samples);
    const from = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const wide = await page(`/api/v1/lists/processes?limit=1&from=${from}`);
    assert.equal(wide.total, hosts.length * 3 * realisticRows.process_samples);
    const logons = await page('/api/v1/lists/logons?event=logon');
    assert.equal(logons.total, hosts.length * 2);
    assert.ok(logons.rows.every((row) => row.event === 'logon' && row.durationMillis === 4_250));
  });

  it('filters processes by machine, user and application, and sorts them', async () => {
    const machine = machineIds.get('desk-bravo')!;
    const rows = (
      await page(`/api/v1/lists/processes?machine=${machine}&sort=cpuPercent&order=desc&limit=500`)
    ).rows;
    assert.equal(rows.length, 2 * realisticRows.process_samples);
    assert.ok(rows.every((row) => row.machineId === machine && row.hostname === 'desk-bravo'));
    const cpu = rows.map((row) => row.cpuPercent as number);
    assert.deepEqual(
      cpu,
      [...cpu].sort((a, b) => b - a),
    );

    const excel = await page(
      '/api/v1/lists/processes?application=excel&user=deskalpha@CORP.EXAMPLE',
    );
    assert.equal(excel.total, 2);
    assert.ok(excel.rows.every((row) => row.application === 'excel'));
    const searched = await page('/api/v1/lists/processes?q=HELPER-59&limit=500');
    assert.equal(searched.total, hosts.length * 2);
  });

  it('gathers applications and destinations over the range', async () => {
    const applications = await page('/api/v1/lists/applications?sort=application');
    const excel = applications.rows.find((row) => row.application === 'excel')!;
    assert.deepEqual(
      [excel.machines, excel.users, excel.starts, excel.loadMillis],
      [3, 3, 6, 2_100],
    );
    const teams = applications.rows.find((row) => row.application === 'teams')!;
    assert.equal(teams.notResponding, 6);

    const destinations = await page('/api/v1/lists/destinations?port=53&sort=address');
    assert.deepEqual(
      destinations.rows.map((row) => [row.address, row.port, row.machines, row.sightings]),
      [
        ['198.51.100.14', 53, 3, 6],
        ['198.51.100.19', 53, 3, 6],
      ],
    );
    const connections = await page('/api/v1/lists/connections?protocol=udp&address=198.51.100.14');
    assert.equal(connections.total, 6);
    assert.ok(connections.rows.every((row) => row.remotePort === 53 && row.protocol === 'udp'));
  });

  it('keeps the change log list to administrators: left out for viewers, and refused', async () => {
    const asViewer = await get('/api/v1/lists', token);
    assert.ok(!(asViewer.body.lists as Row[]).some((list: Row) => list.name === 'changes'));
    const asAdmin = await get('/api/v1/lists', adminToken);
    assert.ok((asAdmin.body.lists as Row[]).some((list: Row) => list.name === 'changes'));
    const refused = await get('/api/v1/lists/changes', token);
    assert.deepEqual([refused.status, refused.body.code], [403, 'forbidden']);
    const exported = await get('/api/v1/lists/changes/export?format=json', token);
    assert.equal(exported.status, 403);
    const entries = await page('/api/v1/lists/changes?action=test.entry&subject=s1&limit=50');
    assert.equal(entries.rows.length, 7, 'filtered by action and subject');
    assert.ok(entries.rows.every((row) => row.subject === 's1'));
  });

  it('walks every row of every list once, in order, whatever the sort and its ties', async () => {
    for (const list of Object.values(listDefinitions)) {
      for (const sort of list.sorts) {
        for (const order of ['asc', 'desc']) {
          const { rows, total } = await walk(list.name, `&sort=${sort}&order=${order}`, 13);
          const what = `${list.name} by ${sort} ${order}`;
          const keys = rows.map((row) => JSON.stringify(list.unique.map((key) => row[key])));
          assert.equal(new Set(keys).size, rows.length, `${what}: a row came twice`);
          assert.equal(rows.length, total, `${what}: rows missing`);
          assertSorted(
            rows.map((row) => row[sort]),
            order,
            what,
          );
        }
      }
    }
  });

  it('refuses bad parameters with 400 and the field named', async () => {
    const machine = machineIds.get('desk-alpha');
    const cases: Array<[string, string]> = [
      ['/api/v1/lists/printers', 'list'],
      ['/api/v1/lists/processes?colour=red', 'colour'],
      ['/api/v1/lists/processes?sort=command', 'sort'],
      ['/api/v1/lists/processes?order=up', 'order'],
      ['/api/v1/lists/processes?limit=0', 'limit'],
      ['/api/v1/lists/processes?limit=501', 'limit'],
      ['/api/v1/lists/processes?limit=ten', 'limit'],
      ['/api/v1/lists/processes?machine=desk-alpha', 'machine'],
      ['/api/v1/lists/processes?from=yesterday', 'from'],
      ['/api/v1/lists/processes?to=2026-01-01T00:00:00Z&from=2026-02-01T00:00:00Z', 'from'],
      ['/api/v1/lists/machines?from=2026-01-01T00:00:00Z', 'from'],
      ['/api/v1/lists/processes?after=not-a-cursor', 'after'],
      [`/api/v1/lists/processes?machine=${machine}&machine=${machine}`, 'machine'],
      ['/api/v1/lists/logons?event=reboot', 'event'],
      ['/api/v1/lists/connections?port=https', 'port'],
      ['/api/v1/lists/processes/export?format=xml', 'format'],
    ];
    for (const [path, field] of cases) {
      const { status, body } = await get(path);
      assert.equal(status, 400, path);
      assert.equal(body.code, 'invalid_parameter', path);
      assert.equal(body.field, field, path);
      assert.match(String(body.message), new RegExp(`^${field}: `), path);
    }
    // A cursor of one sort is not accepted for another.
    const first = await page('/api/v1/lists/processes?limit=2&sort=pid');
    const { status, body } = await get(
      `/api/v1/lists/processes?sort=cpuPercent&after=${first.nextCursor}`,
    );
    assert.deepEqual([status, body.field], [400, 'after']);
  });
});

/** Values in page order: ascending or descending, nulls last either way. */
function assertSorted(values: unknown[], order: string, what: string) {
  const firstNull = values.indexOf(null);
  if (firstNull >= 0) {
    assert.ok(
      values.slice(firstNull).every((value) => value === null),
      `${what}: nulls last`,
    );
  }
  const present = firstNull >= 0 ? values.slice(0, firstNull) : values;
  for (let i = 1; i < present.length; i++) {
    const [a, b] = [present[i - 1], present[i]] as [string | number, string | number];
    // Text compares the store's way (collation), which JavaScript cannot reproduce: numbers
    // and times are checked, text only for having no nulls among values.
    if (typeof a === 'number' || /^\d{4}-\d\d-\d\dT/.test(String(a))) {
      const ok = order === 'asc' ? a <= b : a >= b;
      assert.ok(ok, `${what}: ${String(a)} then ${String(b)}`);
    }
  }
}
