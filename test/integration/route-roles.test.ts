/**
 * Who may call what: every route the hub serves is walked as nobody, as each role (with an API
 * token of that role), with tokens narrowed to each scope, and with a session cookie, and the
 * answers are checked against the table below, which docs/architecture.md ("Who may do what")
 * states for people, and the scope table in src/hub/token-scopes.ts. A route either table
 * does not name fails the test, so a new route cannot ship without a decision.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createApiToken } from '../../src/hub/credentials.js';
import { roles, type Role } from '../../src/hub/people.js';
import { routeScopes, tokenScopes, type TokenScope } from '../../src/hub/token-scopes.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

/** 'public': anyone; 'sealed': agents and collectors on their sealed channel; else a role. */
type Access = 'public' | 'sealed' | Role;

const access: Record<string, Access> = {
  'GET /healthz': 'public',
  'GET /api/v1/ca': 'public',
  'POST /api/v1/session': 'public',
  // Signing out ends whatever session the cookie names, or none; it needs only the header
  // that shows the request came from the web UI.
  'DELETE /api/v1/session': 'public',
  'POST /api/v1/activate': 'sealed',
  'POST /api/v1/channel/challenge': 'sealed',
  'POST /api/v1/channel/open': 'sealed',
  'POST /api/v1/callbacks': 'sealed',
  'POST /api/v1/callbacks/batch': 'sealed',
  'POST /api/v1/collector/report': 'sealed',
  'POST /api/v1/collector/agent': 'sealed',
  'POST /api/v1/collector/batches': 'sealed',
  'POST /api/v1/collector/network-flows': 'sealed',
  'POST /api/v1/collector/connector-id/keys': 'sealed',
  'POST /api/v1/agent/collectors': 'sealed',
  'POST /api/v1/agent/connector-id/machine': 'sealed',
  'POST /api/v1/agent/connector-id/users': 'sealed',
  'POST /api/v1/component/policy': 'sealed',
  'POST /api/v1/agent/release': 'sealed',
  // Bundles are public: the signed manifest an agent fetched first vouches for the bytes.
  'GET /api/v1/agent-releases/:version/bundle': 'public',
  'GET /api/v1/agent-releases': 'viewer',
  'PUT /api/v1/agent-releases/:version': 'administrator',
  'DELETE /api/v1/agent-releases/:version': 'administrator',
  'GET /api/v1/policies': 'viewer',
  'GET /api/v1/policies/:id': 'viewer',
  'GET /api/v1/groups': 'viewer',
  'POST /api/v1/policies': 'administrator',
  'GET /api/v1/policies/export': 'administrator',
  'POST /api/v1/policies/import': 'administrator',
  'PUT /api/v1/policies/:id': 'administrator',
  'POST /api/v1/groups': 'administrator',
  'PUT /api/v1/groups/:id': 'administrator',
  'DELETE /api/v1/groups/:id': 'administrator',
  'GET /api/v1/session': 'viewer',
  'POST /api/v1/session/password': 'viewer',
  'GET /api/v1/machines': 'viewer',
  'GET /api/v1/people': 'administrator',
  'POST /api/v1/people': 'administrator',
  'PUT /api/v1/people/:name': 'administrator',
  'DELETE /api/v1/people/:name': 'administrator',
  'GET /api/v1/machines/:id': 'viewer',
  'GET /api/v1/users/:account/history': 'viewer',
  'GET /api/v1/security-findings': 'viewer',
  'GET /api/v1/usage-hours': 'viewer',
  'GET /api/v1/status': 'viewer',
  'GET /api/v1/settings/retention': 'viewer',
  'PUT /api/v1/settings/retention': 'administrator',
  'GET /metrics': 'viewer',
  'GET /api/v1/collectors': 'viewer',
  'GET /api/v1/connector-id/users': 'viewer',
  'GET /api/v1/connector-id/machines': 'viewer',
  'GET /api/v1/connector-id/settings': 'viewer',
  'GET /api/v1/dashboard/overview': 'viewer',
  'GET /api/v1/dashboard/worst-machines': 'viewer',
  'GET /api/v1/dashboard/machines/:id/history': 'viewer',
  'GET /api/v1/dashboard/users/:id/logons': 'viewer',
  'GET /api/v1/dashboard/top-applications': 'viewer',
  'GET /api/v1/dashboard/network-latency': 'viewer',
  'GET /api/v1/settings/time-zone': 'administrator',
  'PUT /api/v1/settings/time-zone': 'administrator',
  'GET /api/v1/network/flows': 'viewer',
  'GET /api/v1/network/collectors': 'viewer',
  'GET /api/v1/network/machines': 'viewer',
  'GET /api/v1/network/users': 'viewer',
  'GET /api/v1/network/applications': 'viewer',
  'GET /api/v1/network/protocols': 'viewer',
  'GET /api/v1/network/destinations': 'viewer',
  'GET /api/v1/lists': 'viewer',
  'GET /api/v1/lists/:list': 'viewer',
  'GET /api/v1/lists/:list/export': 'viewer',
  'GET /api/v1/search': 'viewer',
  'PUT /api/v1/collectors/:id/config': 'administrator',
  'POST /api/v1/activation-tokens': 'administrator',
  'GET /api/v1/activation-tokens': 'administrator',
  'DELETE /api/v1/activation-tokens/:id': 'administrator',
  'POST /api/v1/api-tokens': 'administrator',
  'GET /api/v1/api-tokens': 'administrator',
  'DELETE /api/v1/api-tokens/:id': 'administrator',
  'POST /api/v1/components/:id/revoke': 'administrator',
  'GET /api/v1/change-log': 'administrator',
  'GET /api/v1/change-log/verify': 'administrator',
  'POST /api/v1/admin/backup': 'administrator',
  'PUT /api/v1/connector-id/settings': 'administrator',
  'POST /api/v1/connector-id/users/:number/reclaim': 'administrator',
  'POST /api/v1/connector-id/machines/:number/reclaim': 'administrator',
  'POST /api/v1/connector-id/machines/:number/revoke': 'administrator',
  'POST /api/v1/connector-id/machines/:number/restore': 'administrator',
  // Saved filters are each caller's own: anyone signed in keeps theirs.
  'GET /api/v1/saved-filters': 'viewer',
  'POST /api/v1/saved-filters': 'viewer',
  'DELETE /api/v1/saved-filters/:id': 'viewer',
};

const rank: Record<Role, number> = { viewer: 0, operator: 1, administrator: 2 };

// The web UI's files and the API's own description are public by nature; the rest must be
// in the table.
const isWebAsset = (url: string) =>
  url === '/' || url === '/index.html' || url.startsWith('/assets/') || url.startsWith('/api/docs');

describe(`who may call each route (${storeKind} store)`, () => {
  let hub: TestHub;
  const tokens = {} as Record<Role, string>;
  const apiRoutes = () => hub.routes.filter((route) => !isWebAsset(route.url));

  before(async () => {
    hub = await startTestHub();
    for (const role of roles)
      tokens[role] = (await createApiToken(hub.context.store, { role, actor: 'test' })).token;
  });
  after(async () => {
    await hub?.cleanup();
  });

  const call = (method: string, url: string, headers: Record<string, string> = {}) => {
    const path = url
      .replace(':id', randomUUID())
      .replace(':number', '1')
      .replace(':list', 'machines');
    const hasBody = method === 'POST' || method === 'PUT';
    return fetch(`${hub.url}${path}`, {
      method,
      headers: { ...headers, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
      body: hasBody ? '{}' : undefined,
    });
  };

  it('has every route the hub serves in the table, and no route the hub lacks', () => {
    const served = apiRoutes().map((route) => `${route.method} ${route.url}`);
    assert.deepEqual(
      served.filter((key) => !(key in access)),
      [],
      'routes without a decided access level',
    );
    assert.deepEqual(
      Object.keys(access).filter((key) => !served.includes(key)),
      [],
      'routes in the table that the hub no longer serves',
    );
  });

  it('gives every route a role guards exactly one scope, and no scope to any other', () => {
    const guarded = apiRoutes()
      .map((route) => `${route.method} ${route.url}`)
      .filter((key) => access[key] !== 'public' && access[key] !== 'sealed');
    assert.deepEqual(guarded.filter((key) => !(key in routeScopes)).sort(), [], 'no scope');
    assert.deepEqual(
      Object.keys(routeScopes).filter((key) => !guarded.includes(key)),
      [],
      'scopes for routes that are not guarded by a role, or not served',
    );
  });

  it('asks nobody to sign in for public routes, and everyone else for the rest', async () => {
    for (const { method, url } of apiRoutes()) {
      const level = access[`${method} ${url}`]!;
      const response = await call(method, url);
      if (level === 'public') assert.ok(response.status < 500, `${method} ${url} answers`);
      else if (level === 'sealed')
        assert.ok([400, 401, 403].includes(response.status), `${method} ${url} refuses`);
      else assert.equal(response.status, 401, `${method} ${url} without credentials`);
    }
  });

  for (const role of roles) {
    it(`lets a ${role} token through exactly where the table allows`, async () => {
      for (const { method, url } of apiRoutes()) {
        const level = access[`${method} ${url}`]!;
        if (level === 'public' || level === 'sealed') continue;
        const response = await call(method, url, { authorization: `Bearer ${tokens[role]}` });
        const allowed = rank[role] >= rank[level];
        if (allowed) {
          assert.ok(
            ![401, 403].includes(response.status) && response.status < 500,
            `${role} may ${method} ${url}; got ${response.status}`,
          );
        } else {
          assert.equal(response.status, 403, `${role} may not ${method} ${url}`);
          const body = (await response.json()) as { code: string };
          assert.equal(body.code, 'forbidden');
        }
      }
    });
  }

  // A scoped token passes where its role allows the route AND the route's scope is listed.
  const walkScoped = async (role: Role, scopes: TokenScope[]) => {
    const { token } = await createApiToken(hub.context.store, { role, scopes, actor: 'test' });
    for (const { method, url } of apiRoutes()) {
      const level = access[`${method} ${url}`]!;
      if (level === 'public' || level === 'sealed') continue;
      const response = await call(method, url, { authorization: `Bearer ${token}` });
      const roleAllows = rank[role] >= rank[level];
      const scopeAllows = scopes.includes(routeScopes[`${method} ${url}`]!);
      const what = `${role} token scoped to ${scopes.join('+')}: ${method} ${url}`;
      if (roleAllows && scopeAllows) {
        assert.ok(
          ![401, 403].includes(response.status) && response.status < 500,
          `${what} is allowed; got ${response.status}`,
        );
      } else {
        assert.equal(response.status, 403, `${what} is refused`);
        const body = (await response.json()) as { code: string };
        assert.equal(body.code, roleAllows ? 'scope_missing' : 'forbidden', what);
      }
    }
  };

  it('lets an administrator token with one scope through exactly where it matches', async () => {
    for (const scope of tokenScopes) await walkScoped('administrator', [scope]);
  });

  it('needs both the role and the scope for a viewer token with two scopes', async () => {
    await walkScoped('viewer', ['read:network', 'admin:people']);
  });

  it('refuses sealed routes to a person with a valid session', async () => {
    const cookie = await hub.signInAsAdmin();
    for (const { method, url } of apiRoutes()) {
      if (access[`${method} ${url}`] !== 'sealed') continue;
      const response = await call(method, url, { cookie, 'x-strata-request': '1' });
      assert.ok([400, 401, 403].includes(response.status), `${method} ${url}: ${response.status}`);
    }
  });
});
