/**
 * Scopes narrow what an API token may call below what its role allows. Each route a role
 * guards belongs to exactly one scope, named in the table below; a token with scopes may call
 * a route when its role allows it and the route's scope is among them. A token without scopes
 * may call everything its role allows. People signed in to the web UI have no scopes.
 */

/** Every scope, with what it opens. */
export const scopeMeanings = {
  'read:machines':
    'machines, collectors, agent releases, inspector lists and saved filters, search, dashboards',
  'read:network': 'network flows and Connector ID numbers, read',
  'read:policies': 'policies and groups, and what they check and count (findings, usage), read',
  'write:policies': 'make and change policies and groups, import them',
  export: 'take data out whole: list exports, the policy export and the store backup',
  'read:status': 'hub status and metrics',
  'admin:components':
    'activation tokens, revocation, collector settings, Connector ID changes, agent releases',
  'admin:people': 'people and API tokens',
  'admin:settings': 'site settings (retention, time zone), changed',
  'admin:audit': 'the change log and its verification',
  session: "a person's own session and password (a token has none)",
} as const;

export type TokenScope = keyof typeof scopeMeanings;
export const tokenScopes = Object.keys(scopeMeanings) as TokenScope[];

/** The scope of every route a role guards, by `METHOD /url` as registered. */
export const routeScopes: Record<string, TokenScope> = {
  'GET /api/v1/machines': 'read:machines',
  'GET /api/v1/machines/:id': 'read:machines',
  'GET /api/v1/collectors': 'read:machines',
  'GET /api/v1/agent-releases': 'read:machines',
  'GET /api/v1/lists': 'read:machines',
  'GET /api/v1/lists/:list': 'read:machines',
  'GET /api/v1/search': 'read:machines',
  'GET /api/v1/dashboard/overview': 'read:machines',
  'GET /api/v1/dashboard/worst-machines': 'read:machines',
  'GET /api/v1/dashboard/machines/:id/history': 'read:machines',
  'GET /api/v1/dashboard/users/:id/logons': 'read:machines',
  'GET /api/v1/dashboard/top-applications': 'read:machines',
  'GET /api/v1/dashboard/network-latency': 'read:machines',
  'GET /api/v1/users/:account/history': 'read:machines',
  'GET /api/v1/saved-filters': 'read:machines',
  'POST /api/v1/saved-filters': 'read:machines',
  'DELETE /api/v1/saved-filters/:id': 'read:machines',
  'GET /api/v1/lists/:list/export': 'export',
  'GET /api/v1/security-findings': 'read:policies',
  'GET /api/v1/usage-hours': 'read:policies',
  'GET /api/v1/settings/retention': 'read:status',
  'GET /api/v1/settings/time-zone': 'read:status',
  'PUT /api/v1/settings/retention': 'admin:settings',
  'PUT /api/v1/settings/time-zone': 'admin:settings',
  'GET /api/v1/network/flows': 'read:network',
  'GET /api/v1/network/collectors': 'read:network',
  'GET /api/v1/network/machines': 'read:network',
  'GET /api/v1/network/users': 'read:network',
  'GET /api/v1/network/applications': 'read:network',
  'GET /api/v1/network/protocols': 'read:network',
  'GET /api/v1/network/destinations': 'read:network',
  'GET /api/v1/connector-id/users': 'read:network',
  'GET /api/v1/connector-id/machines': 'read:network',
  'GET /api/v1/connector-id/settings': 'read:network',
  'GET /api/v1/policies': 'read:policies',
  'GET /api/v1/policies/:id': 'read:policies',
  'GET /api/v1/groups': 'read:policies',
  'POST /api/v1/policies': 'write:policies',
  'PUT /api/v1/policies/:id': 'write:policies',
  'POST /api/v1/policies/import': 'write:policies',
  'POST /api/v1/groups': 'write:policies',
  'PUT /api/v1/groups/:id': 'write:policies',
  'DELETE /api/v1/groups/:id': 'write:policies',
  'GET /api/v1/policies/export': 'export',
  'POST /api/v1/admin/backup': 'export',
  'GET /api/v1/status': 'read:status',
  'GET /metrics': 'read:status',
  'POST /api/v1/activation-tokens': 'admin:components',
  'GET /api/v1/activation-tokens': 'admin:components',
  'DELETE /api/v1/activation-tokens/:id': 'admin:components',
  'POST /api/v1/components/:id/revoke': 'admin:components',
  'PUT /api/v1/collectors/:id/config': 'admin:components',
  'PUT /api/v1/agent-releases/:version': 'admin:components',
  'DELETE /api/v1/agent-releases/:version': 'admin:components',
  'PUT /api/v1/connector-id/settings': 'admin:components',
  'POST /api/v1/connector-id/users/:number/reclaim': 'admin:components',
  'POST /api/v1/connector-id/machines/:number/reclaim': 'admin:components',
  'POST /api/v1/connector-id/machines/:number/revoke': 'admin:components',
  'POST /api/v1/connector-id/machines/:number/restore': 'admin:components',
  'GET /api/v1/people': 'admin:people',
  'POST /api/v1/people': 'admin:people',
  'PUT /api/v1/people/:name': 'admin:people',
  'DELETE /api/v1/people/:name': 'admin:people',
  'GET /api/v1/api-tokens': 'admin:people',
  'POST /api/v1/api-tokens': 'admin:people',
  'DELETE /api/v1/api-tokens/:id': 'admin:people',
  'GET /api/v1/change-log': 'admin:audit',
  'GET /api/v1/change-log/verify': 'admin:audit',
  'GET /api/v1/session': 'session',
  'POST /api/v1/session/password': 'session',
};

/**
 * Whether a token with `scopes` may call the route: yes without scopes; otherwise only when
 * the route's scope is listed. A guarded route missing from the table is refused to every
 * scoped token (and fails the route test), so a new route is never opened by accident.
 */
export function scopeAllows(scopes: readonly string[], method: string, url: string): boolean {
  if (scopes.length === 0) return true;
  const scope = routeScopes[`${method === 'HEAD' ? 'GET' : method} ${url}`];
  return scope !== undefined && scopes.includes(scope);
}
