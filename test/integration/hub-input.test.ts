import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiToken } from '../../src/hub/credentials.js';
import { startTestHub, testAdminPassword, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

describe(`the hub's answers to odd requests (${storeKind} store)`, () => {
  let hub: TestHub;
  let viewerToken: string;

  before(async () => {
    hub = await startTestHub();
    viewerToken = (await createApiToken(hub.context.store, { role: 'viewer', actor: 'test' }))
      .token;
  });

  after(async () => {
    await hub?.cleanup();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${hub.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-strata-request': '1', ...headers },
      body,
    });

  it('refuses a NUL in a sign-in name as bad input, not as a failure of the hub', async () => {
    const response = await post(
      '/api/v1/session',
      JSON.stringify({ name: 'ad\u0000min', password: 'x' }),
    );
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { code: string }).code, 'invalid_request');
  });

  it('names broken JSON with its own stable code', async () => {
    const response = await post('/api/v1/session', '{"name": ');
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { code: string }).code, 'invalid_json');
  });

  it('tells a viewer it may not, before judging the body it sent', async () => {
    const response = await post('/api/v1/api-tokens', '{}', {
      authorization: `Bearer ${viewerToken}`,
    });
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { code: string }).code, 'forbidden');
  });

  it('accepts the bearer scheme in any case', async () => {
    const response = await fetch(`${hub.url}/api/v1/machines`, {
      headers: { authorization: `bearer ${viewerToken}` },
    });
    assert.equal(response.status, 200);
  });

  it('refuses a sign-out without the request header, keeping the session', async () => {
    const cookie = await hub.signInAsAdmin();
    const refused = await fetch(`${hub.url}/api/v1/session`, {
      method: 'DELETE',
      headers: { cookie },
    });
    assert.equal(refused.status, 403);
    const still = await fetch(`${hub.url}/api/v1/session`, { headers: { cookie } });
    assert.equal(still.status, 200);
  });

  it('counts refused sign-ins in the status and the metrics', async () => {
    const wrong = await post(
      '/api/v1/session',
      JSON.stringify({ name: 'admin', password: 'nope' }),
    );
    assert.equal(wrong.status, 401);
    const status = (await (
      await fetch(`${hub.url}/api/v1/status`, {
        headers: { authorization: `Bearer ${viewerToken}` },
      })
    ).json()) as { intake: { signInRefused: number } };
    assert.ok(status.intake.signInRefused >= 1);
    const metrics = await (
      await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${viewerToken}` } })
    ).text();
    assert.match(metrics, /strata_sign_in_refused_total [1-9]/);
  });

  it('refuses a new password of spaces only, or the same as the current one', async () => {
    const cookie = await hub.signInAsAdmin();
    const current = testAdminPassword;
    for (const newPassword of [' '.repeat(20), current]) {
      const response = await post(
        '/api/v1/session/password',
        JSON.stringify({ currentPassword: current, newPassword }),
        { cookie },
      );
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as { code: string }).code, 'weak_password');
    }
  });
});
