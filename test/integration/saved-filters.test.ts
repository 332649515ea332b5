/**
 * Saved filters over the API: each caller keeps their own under unique names, sees only their
 * own, removes only their own, and every save and removal is in the change log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiToken } from '../../src/hub/credentials.js';
import { sessionFetch, startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

describe(`saved filters (${storeKind} store)`, () => {
  let hub: TestHub;
  let cookie: string;
  let viewerToken: string;

  before(async () => {
    hub = await startTestHub();
    cookie = await hub.signInAsAdmin();
    viewerToken = (await createApiToken(hub.context.store, { role: 'viewer', actor: 'test' }))
      .token;
  });
  after(async () => {
    await hub?.cleanup();
  });

  const asAdmin = (method: string, path: string, body?: unknown) =>
    sessionFetch(hub.url, cookie, method, `/api/v1${path}`, body);
  const asViewer = (path: string) =>
    fetch(`${hub.url}/api/v1${path}`, { headers: { authorization: `Bearer ${viewerToken}` } });

  it('saves a filter, lists it, refuses the same name again, and removes it', async () => {
    const params = { q: 'excel', sort: 'cpu', order: 'desc', machine: 'desk-01' };
    const created = await asAdmin('POST', '/saved-filters', {
      name: ' Busy Excel ',
      list: 'processes',
      params,
    });
    assert.equal(created.status, 201);
    const filter = (await created.json()) as { id: string; name: string; params: object };
    assert.equal(filter.name, 'Busy Excel');
    assert.deepEqual(filter.params, params);

    const again = await asAdmin('POST', '/saved-filters', { name: 'Busy Excel', params: {} });
    assert.equal(again.status, 409);
    assert.equal(((await again.json()) as { code: string }).code, 'saved_filter_name_taken');

    const listed = (await (await asAdmin('GET', '/saved-filters')).json()) as {
      filters: Array<{ id: string; list: string | null; params: object }>;
    };
    assert.deepEqual(
      listed.filters.map((entry) => [entry.id, entry.list, entry.params]),
      [[filter.id, 'processes', params]],
    );

    const othersView = (await (await asViewer('/saved-filters')).json()) as { filters: [] };
    assert.deepEqual(othersView.filters, [], "another caller does not see the admin's filter");
    const othersDelete = await fetch(`${hub.url}/api/v1/saved-filters/${filter.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${viewerToken}` },
    });
    assert.equal(othersDelete.status, 404, "another caller cannot remove the admin's filter");

    assert.equal((await asAdmin('DELETE', `/saved-filters/${filter.id}`)).status, 204);
    const after = (await (await asAdmin('GET', '/saved-filters')).json()) as { filters: [] };
    assert.deepEqual(after.filters, []);

    const log = await hub.context.store.query<{ action: string; subject: string }>(
      `SELECT action, subject FROM change_log WHERE action LIKE 'saved_filter.%' ORDER BY id`,
    );
    assert.deepEqual(
      log.map((row) => [row.action, row.subject]),
      [
        ['saved_filter.create', 'Busy Excel'],
        ['saved_filter.delete', 'Busy Excel'],
      ],
    );
  });

  it('refuses a parameter that is not text, with a stable error', async () => {
    const response = await asAdmin('POST', '/saved-filters', {
      name: 'x',
      params: { q: { nested: true } },
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { code: string; message: string };
    assert.equal(typeof body.code, 'string');
    assert.ok(body.message.length > 0);
  });

  it('refuses a filter saved for a list that does not exist, naming it', async () => {
    const response = await asAdmin('POST', '/saved-filters', {
      name: 'nowhere',
      list: 'nosuch',
      params: { q: 'x' },
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { code: string; message: string };
    assert.match(body.message, /no list named nosuch/);
  });
});
