/**
 * API tokens with scopes and an expiry, made, listed and revoked over the API and from the
 * console: a scoped token opens only its scopes' routes, a revoked or expired one nothing,
 * and every change is in the change log.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runConsoleOperation } from '../../src/cli/console-session.js';
import { sessionCall, startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

const dayMillis = 86_400_000;

interface TokenView {
  id: string;
  role: string;
  scopes: string[];
  expiresAt: string | null;
  revokedAt: string | null;
}

describe(`API tokens with scopes and expiry (${storeKind} store)`, () => {
  let hub: TestHub;
  let asAdmin: ReturnType<typeof sessionCall>;

  before(async () => {
    hub = await startTestHub({ dataDir: join(await mkdtemp(join(tmpdir(), 'strata-')), 'hub') });
    asAdmin = sessionCall(hub.url, await hub.signInAsAdmin());
  });
  after(async () => {
    await hub?.cleanup();
    if (hub) await rm(dirname(hub.dataDir), { recursive: true, force: true });
  });

  const withToken = (token: string, path: string) =>
    fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const tokens = async () => {
    const response = await asAdmin('GET', '/api/v1/api-tokens');
    assert.equal(response.status, 200);
    return ((await response.json()) as { tokens: TokenView[] }).tokens;
  };

  it('makes a scoped, expiring token that opens its scope and nothing else', async () => {
    const response = await asAdmin('POST', '/api/v1/api-tokens', {
      role: 'viewer',
      scopes: ['read:machines'],
      expiresDays: 30,
    });
    assert.equal(response.status, 200);
    const made = (await response.json()) as TokenView & { token: string };
    assert.deepEqual(made.scopes, ['read:machines']);
    const days = (Date.parse(made.expiresAt!) - Date.now()) / dayMillis;
    assert.ok(days > 29.9 && days <= 30, `expires in 30 days, not ${days}`);

    assert.equal((await withToken(made.token, '/api/v1/machines')).status, 200);
    const refused = await withToken(made.token, '/api/v1/policies');
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { code: string }).code, 'scope_missing');

    const listed = (await tokens()).find((token) => token.id === made.id)!;
    assert.deepEqual(listed.scopes, ['read:machines']);
    assert.equal('token' in listed || 'token_hash' in listed, false, 'no secret is listed');
  });

  it('refuses a scope it does not know, naming it', async () => {
    const response = await asAdmin('POST', '/api/v1/api-tokens', {
      role: 'viewer',
      scopes: ['read:everything'],
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { code: string; message: string };
    assert.match(body.message, /scopes/);
    // An empty list is refused too: it would read as no narrowing at all.
    const empty = await asAdmin('POST', '/api/v1/api-tokens', { role: 'viewer', scopes: [] });
    assert.equal(empty.status, 400);
    assert.match(((await empty.json()) as { message: string }).message, /scopes/);
  });

  it('revokes a token at once, once, and logs it', async () => {
    const made = (await (
      await asAdmin('POST', '/api/v1/api-tokens', { role: 'viewer' })
    ).json()) as TokenView & { token: string };
    assert.equal((await withToken(made.token, '/api/v1/policies')).status, 200);

    assert.equal((await asAdmin('DELETE', `/api/v1/api-tokens/${made.id}`)).status, 204);

    assert.equal((await withToken(made.token, '/api/v1/policies')).status, 401);
    assert.equal((await asAdmin('DELETE', `/api/v1/api-tokens/${made.id}`)).status, 404);
    assert.ok((await tokens()).find((token) => token.id === made.id)!.revokedAt);
    const logged = await hub.context.store.query(
      "SELECT 1 FROM change_log WHERE action = 'api_token.revoke' AND subject = $1",
      [made.id],
    );
    assert.equal(logged.length, 1);
  });

  it('turns an expired token away', async () => {
    const made = (await (
      await asAdmin('POST', '/api/v1/api-tokens', { role: 'viewer', expiresDays: 1 })
    ).json()) as TokenView & { token: string };
    await hub.context.store.query(
      "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1",
      [made.id],
    );
    assert.equal((await withToken(made.token, '/api/v1/machines')).status, 401);
  });

  it('makes, lists and revokes scoped tokens from the console', async () => {
    // The hub's folder is `<dataDir>/hub`, as `strata hub` makes it.
    const settings = { dataDir: dirname(hub.dataDir), databaseUrl: hub.databaseUrl };
    const run = (name: 'api-token' | 'api-token-list' | 'api-token-revoke', args: object) =>
      runConsoleOperation(settings, name, args);
    const made = (await run('api-token', {
      role: 'operator',
      scopes: ['read:network', 'export'],
      expiresDays: 7,
    })) as TokenView & { token: string };
    assert.deepEqual(made.scopes, ['export', 'read:network']);
    assert.equal((await withToken(made.token, '/api/v1/network/flows')).status, 200);
    assert.equal((await withToken(made.token, '/api/v1/machines')).status, 403);

    const listed = (await run('api-token-list', {})) as TokenView[];
    assert.ok(listed.some((token) => token.id === made.id));
    await run('api-token-revoke', { id: made.id });
    assert.equal((await withToken(made.token, '/api/v1/network/flows')).status, 401);
    await assert.rejects(run('api-token-revoke', { id: made.id }), /no API token/);
  });
});
