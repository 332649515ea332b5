/**
 * The change log as a hash chain on a real hub: every administrative action lands in it,
 * the store refuses edits, and an entry altered, removed or slipped in behind the product's
 * back is found by verification at the entry where the chain breaks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyChangeLog } from '../../src/hub/change-log-audit.js';
import { createApiToken } from '../../src/hub/credentials.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

interface Entry {
  id: string;
  actor: string;
  action: string;
  subject: string;
  hash: string;
}

describe(`the change log's hash chain (${storeKind} store)`, () => {
  let hub: TestHub;
  let cookie: string;

  before(async () => {
    hub = await startTestHub();
    cookie = await hub.signInAsAdmin();
    for (const label of ['first', 'second', 'third']) {
      const response = await api('POST', '/api/v1/activation-tokens', { label, uses: 2 });
      assert.equal(response.status, 200);
    }
    await api('PUT', '/api/v1/connector-id/settings', { tagging: true });
  });
  after(async () => {
    await hub?.cleanup();
  });

  const api = (method: string, path: string, body?: unknown, auth?: string) =>
    fetch(`${hub.url}${path}`, {
      method,
      headers: {
        ...(auth ? { authorization: auth } : { cookie, 'x-strata-request': '1' }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const list = async (query = '') => {
    const response = await api('GET', `/api/v1/change-log${query}`);
    assert.equal(response.status, 200);
    return ((await response.json()) as { entries: Entry[] }).entries;
  };
  const sql = (text: string, params: unknown[] = []) =>
    hub.context.store.query(text, params as string[]);
  // Tampering needs the store's own trigger out of the way, as someone with the database
  // owner's rights could do; the product never does this.
  const behindTheProductsBack = async (work: () => Promise<unknown>) => {
    await sql('ALTER TABLE change_log DISABLE TRIGGER change_log_append_only');
    try {
      await work();
    } finally {
      await sql('ALTER TABLE change_log ENABLE TRIGGER change_log_append_only');
    }
  };

  it('chains every entry and verifies intact up to the newest hash', async () => {
    const entries = await list();
    const [{ n }] = (await sql('SELECT count(*)::int AS n FROM change_log')) as [{ n: number }];
    assert.ok(n >= 4, 'three activation tokens and a policy change at least');

    const response = await api('GET', '/api/v1/change-log/verify');
    const check = (await response.json()) as { status: string; entries: number; headHash: string };
    assert.deepEqual(check, {
      status: 'intact',
      entries: n,
      headHash: entries[0]!.hash,
      unsealed: 0,
    });
  });

  it('orders entries by number, past ten of them, and still verifies intact', async () => {
    for (let i = 0; i < 12; i++)
      await createApiToken(hub.context.store, { role: 'viewer', actor: 'test', label: `t${i}` });
    const [{ newest }] = (await sql('SELECT max(id)::text AS newest FROM change_log')) as [
      { newest: string },
    ];

    const entries = await list('?limit=3');

    assert.deepEqual(
      entries.map((entry) => BigInt(entry.id)),
      [BigInt(newest), BigInt(newest) - 1n, BigInt(newest) - 2n],
    );
    assert.equal((await verifyChangeLog(hub.context.store)).status, 'intact');
  });

  it('lists entries newest first, filtered by action prefix and actor, page by page', async () => {
    const tokens = await list('?action=activation_token.create&actor=person:admin');
    assert.equal(tokens.length, 3);
    assert.ok(tokens.every((entry) => entry.action === 'activation_token.create'));
    assert.ok(BigInt(tokens[0]!.id) > BigInt(tokens[1]!.id), 'newest first');

    const connector = await list('?action=connector_id.');
    assert.deepEqual(
      connector.map((entry) => entry.action),
      ['connector_id.settings'],
    );
    const nextPage = await list(`?action=activation_token.create&limit=2&before=${tokens[1]!.id}`);
    assert.deepEqual(
      nextPage.map((entry) => entry.id),
      [tokens[2]!.id],
    );
  });

  it('is for administrators only, and refuses a bad filter with a clear error', async () => {
    const { token } = await createApiToken(hub.context.store, { role: 'viewer', actor: 'test' });
    const asViewer = await api('GET', '/api/v1/change-log', undefined, `Bearer ${token}`);
    assert.equal(asViewer.status, 403);
    const badDate = await api('GET', '/api/v1/change-log?from=yesterday');
    assert.equal(badDate.status, 400);
    assert.match(((await badDate.json()) as { message: string }).message, /from/);
    const backwards = await api(
      'GET',
      '/api/v1/change-log?from=2026-12-04T00:00:00Z&to=2026-12-03T00:00:00Z',
    );
    assert.equal(backwards.status, 400);
    assert.match(((await backwards.json()) as { message: string }).message, /from: must not/);
  });

  it('refuses to update or delete an entry in the store itself', async () => {
    const [entry] = await list('?limit=1');
    await assert.rejects(
      sql("UPDATE change_log SET actor = 'someone else' WHERE id = $1", [entry!.id]),
      /append-only/,
    );
    await assert.rejects(sql('DELETE FROM change_log WHERE id = $1', [entry!.id]), /append-only/);
  });

  it('names the entry whose detail was altered, and is intact again once restored', async () => {
    const [, target] = await list('?action=activation_token.create');
    const [original] = (await sql('SELECT detail FROM change_log WHERE id = $1', [target!.id])) as [
      { detail: object },
    ];
    await behindTheProductsBack(() =>
      sql(`UPDATE change_log SET detail = detail || '{"uses": 100}' WHERE id = $1`, [target!.id]),
    );

    const check = await verifyChangeLog(hub.context.store);
    assert.equal(check.status, 'broken');
    assert.equal(check.status === 'broken' && check.firstBadId, target!.id);
    assert.match(check.status === 'broken' ? check.reason : '', /altered/);

    await behindTheProductsBack(() =>
      sql('UPDATE change_log SET detail = $2 WHERE id = $1', [
        target!.id,
        JSON.stringify(original.detail),
      ]),
    );
    assert.equal((await verifyChangeLog(hub.context.store)).status, 'intact');
  });

  it('names the entry after one that was removed', async () => {
    const tokens = await list('?action=activation_token.create');
    const middle = tokens[1]!;
    const [after] = (await sql(
      'SELECT id::text AS id FROM change_log WHERE id > $1 ORDER BY change_log.id LIMIT 1',
      [middle.id],
    )) as [{ id: string }];
    await behindTheProductsBack(() => sql('DELETE FROM change_log WHERE id = $1', [middle.id]));

    const check = await verifyChangeLog(hub.context.store);
    assert.deepEqual(check.status === 'broken' && [check.firstBadId, check.reason], [
      after.id,
      `entry ${after.id}: it does not follow the entry before`,
    ]);
  });
});

describe(`entries written before the chain existed (${storeKind} store)`, () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub();
  });
  after(async () => {
    await hub?.cleanup();
  });

  it('are counted as unsealed, then sealed by the next change the hub records', async () => {
    const store = hub.context.store;
    for (const action of ['old.one', 'old.two'])
      await store.query("INSERT INTO change_log (actor, action) VALUES ('system', $1)", [action]);
    const before = await verifyChangeLog(store);
    assert.equal(before.status === 'intact' && before.unsealed, 2);

    await createApiToken(store, { role: 'viewer', actor: 'test' });

    const afterCheck = await verifyChangeLog(store);
    const [{ n }] = (await store.query('SELECT count(*)::int AS n FROM change_log')) as [
      { n: number },
    ];
    assert.deepEqual(afterCheck.status === 'intact' && [afterCheck.entries, afterCheck.unsealed], [
      n,
      0,
    ]);
  });
});
