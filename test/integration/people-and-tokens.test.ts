import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { initialPasswordFile } from '../../src/hub/people.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

const newPassword = 'a much longer password of my own';

describe(`people signing in and programs using API tokens (${storeKind} store)`, () => {
  let hub: TestHub;
  let firstPassword: string;

  before(async () => {
    hub = await startTestHub();
    firstPassword = hub.firstAdministrator!.password;
  });

  after(async () => {
    await hub?.cleanup();
  });

  /** A JSON request to the hub; `headers` go on top of the content type. */
  const call = (method: string, path: string, body?: unknown, headers = {}) =>
    fetch(`${hub.url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const signIn = (password: string) =>
    call('POST', '/api/v1/session', { name: 'admin', password }, { 'x-strata-request': '1' });

  const cookieOf = (response: Response) => response.headers.get('set-cookie')!.split(';')[0]!;

  const changeLogCount = async (action: string) => {
    const rows = await hub.context.store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM change_log WHERE action = $1',
      [action],
    );
    return rows[0]!.n;
  };

  it('refuses sign-in with a wrong password as bad_credentials, setting no cookie', async () => {
    const response = await signIn('not the password');

    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { code: string }).code, 'bad_credentials');
    assert.equal(response.headers.get('set-cookie'), null);
  });

  it('refuses sign-in without the request header even with the right password', async () => {
    const response = await call('POST', '/api/v1/session', {
      name: 'admin',
      password: firstPassword,
    });

    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { code: string }).code, 'csrf_header_missing');
    assert.equal(response.headers.get('set-cookie'), null);
  });

  it('accepts the first password with an HttpOnly, SameSite=Strict session cookie', async () => {
    const response = await signIn(firstPassword);

    assert.equal(response.status, 200);
    const setCookie = response.headers.get('set-cookie')!;
    assert.match(setCookie, /^strata_session=[^;]+;/);
    assert.match(setCookie, /;\s*HttpOnly/i);
    assert.match(setCookie, /;\s*SameSite=Strict/i);
    const body = (await response.json()) as { user: { name: string; role: string } };
    assert.deepEqual(body.user, {
      name: 'admin',
      role: 'administrator',
      mustChangePassword: true,
    });
  });

  it('reports mustChangePassword in the session until the password is changed', async () => {
    const cookie = cookieOf(await signIn(firstPassword));

    const response = await call('GET', '/api/v1/session', undefined, { cookie });

    assert.equal(response.status, 200);
    const body = (await response.json()) as { user: { mustChangePassword: boolean } };
    assert.equal(body.user.mustChangePassword, true);
  });

  it('opens nothing but the password change to a password someone else set', async () => {
    const cookie = cookieOf(await signIn(firstPassword));
    const headers = { cookie, 'x-strata-request': '1' };

    const token = await call('POST', '/api/v1/api-tokens', { role: 'administrator' }, headers);
    const machines = await call('GET', '/api/v1/machines', undefined, headers);

    for (const response of [token, machines]) {
      assert.equal(response.status, 403);
      assert.equal(((await response.json()) as { code: string }).code, 'password_change_required');
    }
    assert.equal(await changeLogCount('api_token.create'), 0, 'no token was issued');
  });

  it('refuses a state-changing cookie request without x-strata-request', async () => {
    const cookie = cookieOf(await signIn(firstPassword));

    const response = await call(
      'POST',
      '/api/v1/session/password',
      { currentPassword: firstPassword, newPassword },
      { cookie },
    );

    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { code: string }).code, 'csrf_header_missing');
    assert.ok(existsSync(join(hub.dataDir, initialPasswordFile)), 'nothing was changed');
  });

  it('refuses a password change with the wrong current password', async () => {
    const cookie = cookieOf(await signIn(firstPassword));

    const response = await call(
      'POST',
      '/api/v1/session/password',
      { currentPassword: 'not the password', newPassword },
      { cookie, 'x-strata-request': '1' },
    );

    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { code: string }).code, 'bad_credentials');
  });

  it('refuses a new password shorter than 12 characters as weak_password', async () => {
    const cookie = cookieOf(await signIn(firstPassword));

    const response = await call(
      'POST',
      '/api/v1/session/password',
      { currentPassword: firstPassword, newPassword: 'short pw 11' },
      { cookie, 'x-strata-request': '1' },
    );

    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { code: string }).code, 'weak_password');
    assert.ok(existsSync(join(hub.dataDir, initialPasswordFile)));
  });

  it('changes the password, ends old sessions, drops the password file, logs it', async () => {
    const changesBefore = await changeLogCount('person.password_change');
    const cookie = cookieOf(await signIn(firstPassword));

    const response = await call(
      'POST',
      '/api/v1/session/password',
      { currentPassword: firstPassword, newPassword },
      { cookie, 'x-strata-request': '1' },
    );

    assert.equal(response.status, 204);
    assert.equal(existsSync(join(hub.dataDir, initialPasswordFile)), false);
    // Sessions opened with the old password end; the one who changed it gets a fresh one.
    const before = await call('GET', '/api/v1/session', undefined, { cookie });
    assert.equal(before.status, 401);
    const fresh = cookieOf(response);
    assert.notEqual(fresh, cookie);
    const session = await call('GET', '/api/v1/session', undefined, { cookie: fresh });
    assert.equal(session.status, 200);
    const body = (await session.json()) as { user: { mustChangePassword: boolean } };
    assert.equal(body.user.mustChangePassword, false);
    assert.equal(await changeLogCount('person.password_change'), changesBefore + 1);
    const [entry] = await hub.context.store.query<{ actor: string; subject: string }>(
      "SELECT actor, subject FROM change_log WHERE action = 'person.password_change'",
    );
    assert.deepEqual(entry, { actor: 'person:admin', subject: 'admin' });
  });

  it('refuses the old password, accepts the new one and no longer asks for a change', async () => {
    const old = await signIn(firstPassword);
    assert.equal(old.status, 401);
    assert.equal(((await old.json()) as { code: string }).code, 'bad_credentials');

    const fresh = await signIn(newPassword);
    assert.equal(fresh.status, 200);
    const session = await call('GET', '/api/v1/session', undefined, { cookie: cookieOf(fresh) });
    const body = (await session.json()) as { user: { mustChangePassword: boolean } };
    assert.equal(body.user.mustChangePassword, false);
  });

  describe('API tokens', () => {
    let viewerToken: string;

    it('lets an administrator create a viewer token, and logs it', async () => {
      const cookie = cookieOf(await signIn(newPassword));
      const createdBefore = await changeLogCount('api_token.create');

      const response = await call(
        'POST',
        '/api/v1/api-tokens',
        { role: 'viewer', label: 'dashboard' },
        { cookie, 'x-strata-request': '1' },
      );

      assert.equal(response.status, 200);
      const body = (await response.json()) as { id: string; token: string; role: string };
      assert.equal(body.role, 'viewer');
      assert.match(body.token, /^stk_/);
      viewerToken = body.token;
      assert.equal(await changeLogCount('api_token.create'), createdBefore + 1);
      const rows = await hub.context.store.query<{ actor: string; detail: { role: string } }>(
        "SELECT actor, detail FROM change_log WHERE action = 'api_token.create' AND subject = $1",
        [body.id],
      );
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.actor, 'person:admin');
      assert.equal(rows[0]!.detail.role, 'viewer');
      // Only a hash is kept: the token itself appears nowhere in the store.
      const leaked = await hub.context.store.query(
        'SELECT 1 FROM api_tokens WHERE token_hash = $1',
        [body.token],
      );
      assert.equal(leaked.length, 0);
    });

    it('lets the viewer token read the machine list', async () => {
      const response = await call('GET', '/api/v1/machines', undefined, {
        authorization: `Bearer ${viewerToken}`,
      });

      assert.equal(response.status, 200);
      const body = (await response.json()) as { machines: unknown[] };
      assert.ok(Array.isArray(body.machines));
    });

    it('refuses the viewer token an administrator action (403 forbidden)', async () => {
      const response = await call(
        'POST',
        '/api/v1/activation-tokens',
        { kind: 'agent' },
        { authorization: `Bearer ${viewerToken}` },
      );

      assert.equal(response.status, 403);
      assert.equal(((await response.json()) as { code: string }).code, 'forbidden');
      const issued = await hub.context.store.query('SELECT 1 FROM activation_tokens');
      assert.equal(issued.length, 0, 'no activation token was issued');
    });

    it('refuses a request with no credentials (401)', async () => {
      const response = await call('GET', '/api/v1/machines');

      assert.equal(response.status, 401);
      assert.equal(((await response.json()) as { code: string }).code, 'sign_in_required');
    });

    it('refuses a made-up token as bad_token (401)', async () => {
      for (const madeUp of ['stk_madeUpTokenThatWasNeverIssued', 'not-even-a-token']) {
        const response = await call('GET', '/api/v1/machines', undefined, {
          authorization: `Bearer ${madeUp}`,
        });

        assert.equal(response.status, 401, madeUp);
        assert.equal(((await response.json()) as { code: string }).code, 'bad_token');
      }
    });
  });
  it('adds an operator who must choose a password and may not administer', async () => {
    const adminCookie = cookieOf(await signIn(newPassword));
    const admin = { cookie: adminCookie, 'x-strata-request': '1' };
    const created = await call('POST', '/api/v1/people', { name: 'olga', role: 'operator' }, admin);
    assert.equal(created.status, 200);
    const { password } = (await created.json()) as { password: string };
    const taken = await call('POST', '/api/v1/people', { name: 'olga', role: 'viewer' }, admin);
    assert.equal(taken.status, 409);
    const blank = await call('POST', '/api/v1/people', { name: ' olga', role: 'viewer' }, admin);
    assert.equal(blank.status, 400);

    const signedIn = await call(
      'POST',
      '/api/v1/session',
      { name: 'olga', password },
      { 'x-strata-request': '1' },
    );
    const olga = { cookie: cookieOf(signedIn), 'x-strata-request': '1' };
    const changed = await call(
      'POST',
      '/api/v1/session/password',
      { currentPassword: password, newPassword: 'olga chose this herself' },
      olga,
    );
    assert.equal(changed.status, 204);
    const own = { ...olga, cookie: cookieOf(changed) };
    assert.equal((await call('GET', '/api/v1/machines', undefined, own)).status, 200);
    const token = await call('POST', '/api/v1/api-tokens', { role: 'viewer' }, own);
    assert.equal(token.status, 403);
    const people = (await (await call('GET', '/api/v1/people', undefined, admin)).json()) as {
      people: Array<{ name: string; role: string }>;
    };
    assert.deepEqual(
      people.people.map((person) => [person.name, person.role]),
      [
        ['admin', 'administrator'],
        ['olga', 'operator'],
      ],
    );
  });
});
