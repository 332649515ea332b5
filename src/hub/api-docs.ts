/**
 * The hub's API described in OpenAPI 3 and served at /api/docs (a browsable page) and
 * /api/docs/json. One table here names every API route with what it does and who may call
 * it; routes keep their own JSON schemas for bodies and queries, which the document shows.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { strataVersion } from '../shared/version.js';
import { routeScopes } from './token-scopes.js';

/** Who may call a route: anyone, agents and collectors on their sealed channel, or a role. */
type Access = 'anyone' | 'sealed' | 'viewer' | 'operator' | 'administrator';

/** Where the docs are served. */
export const apiDocsPrefix = '/api/docs';

const routes: Record<string, [tag: string, access: Access, summary: string]> = {
  'GET /healthz': ['hub', 'anyone', 'Answers while the hub runs'],
  'GET /api/v1/ca': ['components', 'anyone', "The site's CA certificate, to check a pin"],
  'POST /api/v1/activate': ['components', 'sealed', 'Activate an agent or collector'],
  'POST /api/v1/channel/challenge': ['components', 'sealed', 'A challenge to open a session'],
  'POST /api/v1/channel/open': ['components', 'sealed', 'Open a sealed session'],
  'POST /api/v1/callbacks': ['components', 'sealed', "Take an agent's callback"],
  'POST /api/v1/callbacks/batch': ['components', 'sealed', "Take up to five of an agent's"],
  'POST /api/v1/collector/report': ['components', 'sealed', "A collector's state report"],
  'POST /api/v1/collector/agent': ['components', 'sealed', 'Look up an agent for a collector'],
  'POST /api/v1/collector/batches': ['components', 'sealed', 'Store a batch of callbacks'],
  'POST /api/v1/collector/network-flows': ['components', 'sealed', 'Store flow records'],
  'POST /api/v1/collector/connector-id/keys': ['components', 'sealed', 'Tag keys for a collector'],
  'POST /api/v1/agent/collectors': ['components', 'sealed', 'The collectors an agent may use'],
  'POST /api/v1/agent/connector-id/machine': ['components', 'sealed', 'Claim a machine number'],
  'POST /api/v1/agent/connector-id/users': ['components', 'sealed', 'User numbers for accounts'],
  'POST /api/v1/session': ['people', 'anyone', 'Sign in; sets the session cookie'],
  'GET /api/v1/session': ['people', 'viewer', 'Who is signed in'],
  'DELETE /api/v1/session': ['people', 'anyone', 'Sign out'],
  'POST /api/v1/session/password': ['people', 'viewer', "Change one's own password"],
  'GET /api/v1/people': ['people', 'administrator', 'Everyone who may sign in'],
  'POST /api/v1/people': ['people', 'administrator', 'Add a person with a role'],
  'PUT /api/v1/people/:name': ['people', 'administrator', "Change a person's role"],
  'DELETE /api/v1/people/:name': ['people', 'administrator', 'Remove a person'],
  'GET /api/v1/machines': ['machines', 'viewer', 'Machines with their latest figures'],
  'GET /api/v1/machines/:id': ['machines', 'viewer', 'One machine, latest sample and history'],
  'GET /api/v1/users/:account/history': ['machines', 'viewer', "A user's CPU and memory"],
  'GET /api/v1/security-findings': ['policies', 'viewer', "What the policies' checks found"],
  'GET /api/v1/usage-hours': ['policies', 'viewer', 'Hours of use per user and machine'],
  'GET /api/v1/status': ['hub', 'viewer', 'Counts, intake, refusals, partitions and jobs'],
  'GET /api/v1/settings/retention': ['hub', 'viewer', 'Days of detail kept, storage ceiling'],
  'PUT /api/v1/settings/retention': ['hub', 'administrator', 'Change retention settings'],
  'GET /metrics': ['hub', 'viewer', 'The same figures for Prometheus'],
  'GET /api/v1/collectors': ['collectors', 'viewer', 'Collectors, their state and queues'],
  'PUT /api/v1/collectors/:id/config': [
    'collectors',
    'administrator',
    "Set a collector's settings",
  ],
  'POST /api/v1/activation-tokens': [
    'administration',
    'administrator',
    'Issue an activation token',
  ],
  'POST /api/v1/api-tokens': [
    'administration',
    'administrator',
    'Issue an API token, with a role, optional scopes and expiry',
  ],
  'GET /api/v1/activation-tokens': ['administration', 'administrator', 'Activation tokens'],
  'DELETE /api/v1/activation-tokens/:id': [
    'administration',
    'administrator',
    'End an activation token',
  ],
  'GET /api/v1/api-tokens': ['administration', 'administrator', 'API tokens, without secrets'],
  'DELETE /api/v1/api-tokens/:id': ['administration', 'administrator', 'Revoke an API token'],
  'POST /api/v1/components/:id/revoke': ['administration', 'administrator', 'Revoke a component'],
  'GET /api/v1/change-log': ['administration', 'administrator', 'The change log, newest first'],
  'GET /api/v1/change-log/verify': ['administration', 'administrator', 'Check its hash chain'],
  'POST /api/v1/admin/backup': [
    'administration',
    'administrator',
    'The whole store as a backup file (gzip), streamed',
  ],
  'GET /api/v1/connector-id/users': ['connector id', 'viewer', 'User numbers issued'],
  'GET /api/v1/connector-id/machines': ['connector id', 'viewer', 'Machine numbers issued'],
  'GET /api/v1/connector-id/settings': ['connector id', 'viewer', 'The tagging policy'],
  'PUT /api/v1/connector-id/settings': ['connector id', 'administrator', 'Change the policy'],
  'POST /api/v1/connector-id/users/:number/reclaim': [
    'connector id',
    'administrator',
    'Free a user number for reuse',
  ],
  'POST /api/v1/connector-id/machines/:number/reclaim': [
    'connector id',
    'administrator',
    'Free a machine number for reuse',
  ],
  'POST /api/v1/connector-id/machines/:number/revoke': [
    'connector id',
    'administrator',
    "Flag a machine's tags",
  ],
  'POST /api/v1/connector-id/machines/:number/restore': [
    'connector id',
    'administrator',
    "Stop flagging a machine's tags",
  ],
  'POST /api/v1/agent/release': ['components', 'sealed', 'The newest agent release, signed'],
  'GET /api/v1/agent-releases/:version/bundle': [
    'agent releases',
    'anyone',
    'An agent bundle; its signed manifest vouches for it',
  ],
  'GET /api/v1/agent-releases': ['agent releases', 'viewer', 'Published agent releases'],
  'DELETE /api/v1/agent-releases/:version': [
    'agent releases',
    'administrator',
    'Withdraw a release',
  ],
  'PUT /api/v1/agent-releases/:version': [
    'agent releases',
    'administrator',
    'Publish an agent bundle',
  ],
  'POST /api/v1/component/policy': ['components', 'sealed', 'Which policy version to run'],
  'GET /api/v1/policies': ['policies', 'viewer', 'Policies, and who runs which version'],
  'GET /api/v1/policies/:id': ['policies', 'viewer', 'One policy and its versions'],
  'POST /api/v1/policies': ['policies', 'administrator', 'Make a policy'],
  'PUT /api/v1/policies/:id': ['policies', 'administrator', "Change a policy's settings"],
  'GET /api/v1/groups': ['policies', 'viewer', 'Groups, their rules and members'],
  'GET /api/v1/policies/export': ['policies', 'administrator', 'All policies and groups, signed'],
  'POST /api/v1/policies/import': ['policies', 'administrator', 'Bring in a signed export'],
  'POST /api/v1/groups': ['policies', 'administrator', 'Make a group'],
  'PUT /api/v1/groups/:id': ['policies', 'administrator', 'Change a group'],
  'DELETE /api/v1/groups/:id': ['policies', 'administrator', 'Remove a group'],
  'GET /api/v1/dashboard/overview': ['dashboard', 'viewer', 'Counts, freshness, score bands'],
  'GET /api/v1/dashboard/worst-machines': ['dashboard', 'viewer', 'Lowest experience scores'],
  'GET /api/v1/dashboard/machines/:id/history': ['dashboard', 'viewer', "A machine's days"],
  'GET /api/v1/dashboard/users/:id/logons': ['dashboard', 'viewer', "A user's logons"],
  'GET /api/v1/dashboard/top-applications': ['dashboard', 'viewer', 'Applications by CPU'],
  'GET /api/v1/dashboard/network-latency': ['dashboard', 'viewer', 'Handshake times per group'],
  'GET /api/v1/settings/time-zone': ['administration', 'administrator', "The site's time zone"],
  'PUT /api/v1/settings/time-zone': ['administration', 'administrator', 'Set the time zone'],
  'GET /api/v1/network/flows': ['network', 'viewer', 'Flow records, newest first'],
  'GET /api/v1/network/collectors': ['network', 'viewer', "Network collectors' counts"],
  'GET /api/v1/network/machines': ['network', 'viewer', 'Flows per machine'],
  'GET /api/v1/network/users': ['network', 'viewer', 'Flows per user'],
  'GET /api/v1/network/applications': ['network', 'viewer', 'Flows per application'],
  'GET /api/v1/network/protocols': ['network', 'viewer', 'Flows per protocol'],
  'GET /api/v1/network/destinations': ['network', 'viewer', 'Flows per destination'],
  'GET /api/v1/saved-filters': ['saved filters', 'viewer', "The caller's saved filters"],
  'POST /api/v1/saved-filters': ['saved filters', 'viewer', 'Save a filter under a name'],
  'DELETE /api/v1/saved-filters/:id': ['saved filters', 'viewer', 'Remove a saved filter'],
  'GET /api/v1/lists': ['lists', 'viewer', 'Every list with its columns, filters and sorts'],
  'GET /api/v1/lists/:list': ['lists', 'viewer', 'A page of a list: filtered, sorted, keyset'],
  'GET /api/v1/lists/:list/export': ['lists', 'viewer', 'A whole list as CSV, JSON or NDJSON'],
  'GET /api/v1/search': ['lists', 'viewer', 'Users, machines, applications, processes by name'],
};

/** The routes the table describes, as `METHOD url`; a test holds it to the routes served. */
export const documentedRoutes = Object.keys(routes);

const errorBody = {
  type: 'object' as const,
  required: ['code', 'message'],
  properties: {
    code: { type: 'string' as const, description: 'stable, for programs' },
    message: { type: 'string' as const, description: 'for people' },
  },
};

/** Registers the document and its page; call before any route is added. */
export async function registerApiDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Strata hub API',
        version: strataVersion,
        description:
          'Errors are `{code, message}`. Browsers use the session cookie and send ' +
          '`X-Strata-Request: 1` on every state change; programs send `Authorization: Bearer`.',
      },
      components: {
        securitySchemes: {
          token: { type: 'http', scheme: 'bearer', description: 'an API token (stk_...)' },
          session: { type: 'apiKey', in: 'cookie', name: 'strata_session' },
        },
        schemas: { Error: errorBody },
      },
    },
  });
  app.addHook('onRoute', describeRoute);
  await app.register(swaggerUi, {
    routePrefix: apiDocsPrefix,
    staticCSP: true,
    // The page sets some styles inline; nothing is loaded from elsewhere.
    transformStaticCSP: (header) =>
      header.replace("style-src 'self' https:", "style-src 'self' 'unsafe-inline'"),
  });
}

// Adds the summary, tag and security of the table to each route's schema as it is added.
function describeRoute(route: RouteOptions): void {
  const method = [route.method].flat()[0];
  const entry = routes[`${method} ${route.url}`];
  if (!entry) {
    // Only the docs' own routes and the web UI's files are not API routes.
    route.schema = { ...route.schema, hide: true } as unknown as RouteOptions['schema'];
    return;
  }
  const [tag, access, summary] = entry;
  const security: Array<Record<string, string[]>> =
    access === 'anyone' || access === 'sealed' ? [] : [{ token: [] }, { session: [] }];
  const description =
    access === 'sealed'
      ? 'Sealed: the body is an AES-GCM message from an activated agent or collector.'
      : access === 'anyone'
        ? 'Open to anyone.'
        : `Needs the ${access} role or higher; a token with scopes needs ` +
          `\`${routeScopes[`${method} ${route.url}`] ?? '(none)'}\` among them. ` +
          'A refusal is an Error (code, message).';
  route.schema = {
    ...route.schema,
    tags: [tag],
    summary,
    description,
    security,
  } as unknown as RouteOptions['schema'];
}
