/**
 * People's roles changed and people removed by an administrator: a new role holds from the
 * person's next request, a removed person's sessions end at once, and the site always keeps
 * an administrator.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { consoleOperations } from '../../src/hub/console-operations.js';
import { hubApi } from '../support/hub-api.js';
import { sessionCall, startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

describe(`people's roles and removal (${storeKind} store)`, () => {
  let hub: TestHub;
  let api: ReturnType<typeof hubApi>;

  before(async () => {
    hub = await startTestHub();
    api = hubApi(hub.url, await hub.signInAsAdmin());
  });
  after(async () => {
    await hub?.cleanup();
  });

  /** Adds a person and signs them in with a password of their own; returns their cookie. */
  const addAndSignIn = async (name: string, role: string) => {
    const added = await api('POST', '/api/v1/people', { name, role });
    assert.equal(added.status, 200);
    const signIn = await sessionCall(hub.url, '')('POST', '/api/v1/session', {
      name,
      password: added.body.password,
    });
    const first = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const changed = await sessionCall(hub.url, first)('POST', '/api/v1/session/password', {
      currentPassword: added.body.password,
      newPassword: `${name} has a long password now`,
    });
    assert.equal(changed.status, 204);
    return (changed.headers.get('set-cookie') ?? '').split(';')[0] || first;
  };

  it("changes a person's role, effective at their next request, in the change log", async () => {
    const cookie = await addAndSignIn('bea', 'viewer');
    const asBea = hubApi(hub.url, cookie);
    assert.equal((await asBea('GET', '/api/v1/people')).status, 403, 'a viewer may not');

    const changed = await api('PUT', '/api/v1/people/bea', { role: 'administrator' });
    assert.deepEqual([changed.status, changed.body.role], [200, 'administrator']);
    assert.equal((await asBea('GET', '/api/v1/people')).status, 200, 'now she may');
    const [entry] = await hub.context.store.query<{ detail: Record<string, string> }>(
      "SELECT detail FROM change_log WHERE action = 'person.role_change' AND subject = 'bea'",
    );
    assert.deepEqual(entry!.detail, { before: 'viewer', after: 'administrator' });
    const typed = await api('PUT', '/api/v1/people/bea', { role: 'owner' });
    assert.equal(typed.status, 400);
    const nobody = await api('PUT', '/api/v1/people/nobody', { role: 'viewer' });
    assert.deepEqual([nobody.status, nobody.body.code], [404, 'person_not_found']);
  });

  it('removes a person and ends their sessions at once', async () => {
    const cookie = await addAndSignIn('carl', 'operator');
    assert.equal((await sessionCall(hub.url, cookie)('GET', '/api/v1/session')).status, 200);
    const removed = await api('DELETE', '/api/v1/people/carl');
    assert.equal(removed.status, 204);
    assert.equal((await sessionCall(hub.url, cookie)('GET', '/api/v1/session')).status, 401);
    const people = (await api('GET', '/api/v1/people')).body.people as Array<{ name: string }>;
    assert.ok(!people.some((person) => person.name === 'carl'));
    assert.equal((await api('DELETE', '/api/v1/people/carl')).status, 404);
  });

  it('never leaves the site without an administrator', async () => {
    await api('PUT', '/api/v1/people/bea', { role: 'viewer' });
    const demote = await api('PUT', '/api/v1/people/admin', { role: 'viewer' });
    assert.deepEqual([demote.status, demote.body.code], [409, 'last_administrator']);
    const remove = await api('DELETE', '/api/v1/people/admin');
    assert.deepEqual([remove.status, remove.body.code], [409, 'last_administrator']);
    assert.match(String(remove.body.message), /make someone else an administrator first/);
    const [row] = await hub.context.store.query<{ role: string }>(
      "SELECT role FROM people WHERE name = 'admin'",
    );
    assert.equal(row!.role, 'administrator');
  });

  it('keeps names from the console within the bounds the API sets', async () => {
    const operations = consoleOperations(hub.context.store, hub.context.identity.caPin, null);
    for (const name of ['a'.repeat(101), ' padded', '']) {
      await assert.rejects(
        operations['person-create']({ name, role: 'viewer' }),
        /1 to 100 characters/,
        JSON.stringify(name),
      );
    }
  });
});
