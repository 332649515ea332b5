import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify';
import { MessageRejected, type RejectionReason } from '../protocol/rejection.js';
import { HttpError } from '../shared/errors.js';
import { classifyStoreError } from '../store/store-errors.js';
import { registerApiDocs } from './api-docs.js';
import { validatorCompiler } from './request-validation.js';
import type { HubContext } from './hub-context.js';
import { adminRoutes } from './routes/admin-routes.js';
import { collectorRoutes } from './routes/collector-routes.js';
import { complianceRoutes } from './routes/compliance-routes.js';
import { componentRoutes } from './routes/component-routes.js';
import { connectorIdRoutes } from './routes/connector-id-routes.js';
import { listRoutes } from './routes/list-routes.js';
import { dashboardRoutes } from './routes/dashboard-routes.js';
import { machineRoutes } from './routes/machine-routes.js';
import { networkRoutes } from './routes/network-routes.js';
import { peopleRoutes } from './routes/people-routes.js';
import { policyRoutes } from './routes/policy-routes.js';
import { releaseRoutes } from './routes/release-routes.js';
import { savedFilterRoutes } from './routes/saved-filter-routes.js';
import { retentionRoutes } from './routes/retention-routes.js';
import { findWebAssets, notBuiltPage } from './web-assets.js';

/** How long a caller is asked to wait while the hub's store is away: 30 seconds. */
const storeAwayRetryAfterSeconds = 30;

// Requests from agents and collectors: refusals there are counted by reason.
const componentPaths = [
  '/api/v1/activate',
  '/api/v1/channel/',
  '/api/v1/callbacks',
  '/api/v1/collector/',
  '/api/v1/agent/',
];
const isComponentPath = (url: string) => componentPaths.some((path) => url.startsWith(path));

// The framework's own refusals, renamed so callers see the same stable codes everywhere.
const frameworkCodes: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
};

/** A route the hub serves, as registered: method and URL pattern. */
export interface HubRoute {
  method: string;
  url: string;
}

/** Builds the hub's HTTP app: API, component intake and the web UI; and lists its routes. */
export async function buildHubServer(
  hub: HubContext,
): Promise<{ app: FastifyInstance; routes: HubRoute[] }> {
  const app = Fastify({
    loggerInstance: hub.log as FastifyBaseLogger,
    // One line per request would drown the log at intake rates; refusals are logged instead.
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  const routes: HubRoute[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: route.url });
    }
  });
  await app.register(cookie);
  await registerApiDocs(app);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const refusal = asRejection(error, request.url);
    if (refusal) {
      hub.rejections.add(refusal.code);
      // Logged once, at warn, with the reason and the peer; never the body or any key.
      hub.log.warn({ code: refusal.code, remote: request.ip, url: request.url }, refusal.message);
      return reply.code(refusal.status).send({ code: refusal.code, message: refusal.message });
    }
    if (error instanceof HttpError) {
      return reply.code(error.status).send({ code: error.code, message: error.message });
    }
    if (error.validation) {
      return reply.code(400).send({ code: 'invalid_request', message: error.message });
    }
    if (error.statusCode && error.statusCode < 500) {
      const code = frameworkCodes[error.code ?? ''] ?? 'bad_request';
      return reply.code(error.statusCode).send({ code, message: error.message });
    }
    if (classifyStoreError(error) === 'data') {
      // A value the store cannot hold (a NUL, an impossible date): the caller's input, not a bug.
      return reply.code(400).send({ code: 'invalid_request', message: 'a value cannot be stored' });
    }
    if (classifyStoreError(error) === 'unavailable') {
      // The store is away: agents and collectors keep their data and come back when asked.
      hub.log.warn({ err: error, url: request.url }, 'store unavailable; asked to come back');
      return reply
        .code(503)
        .header('retry-after', String(storeAwayRetryAfterSeconds))
        .send({ code: 'store_unavailable', message: 'the hub’s store is away; try again later' });
    }
    hub.log.error({ err: error, url: request.url }, 'request failed');
    return reply.code(500).send({ code: 'internal_error', message: 'the hub failed; see its log' });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.register((scope) => componentRoutes(scope, hub));
  await app.register((scope) => collectorRoutes(scope, hub));
  await app.register((scope) => peopleRoutes(scope, hub));
  await app.register((scope) => machineRoutes(scope, hub));
  await app.register((scope) => complianceRoutes(scope, hub));
  await app.register((scope) => adminRoutes(scope, hub));
  await app.register((scope) => connectorIdRoutes(scope, hub));
  await app.register((scope) => networkRoutes(scope, hub));
  await app.register((scope) => retentionRoutes(scope, hub));
  await app.register((scope) => policyRoutes(scope, hub));
  await app.register((scope) => releaseRoutes(scope, hub));
  await app.register((scope) => savedFilterRoutes(scope, hub));
  await app.register((scope) => listRoutes(scope, hub));
  await app.register((scope) => dashboardRoutes(scope, hub));
  await registerWebUi(app);
  return { app, routes };
}

/** Turns a refusal of a component's message into its reason; null for other errors. */
function asRejection(error: FastifyError, url: string): MessageRejected | null {
  if (error instanceof MessageRejected) return error;
  if (!isComponentPath(url)) return null;
  const reason: RejectionReason | null =
    error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
      ? 'oversized'
      : error.statusCode === 400 || error.statusCode === 415
        ? 'malformed'
        : null;
  return reason ? new MessageRejected(reason) : null;
}

async function registerWebUi(app: FastifyInstance) {
  const root = findWebAssets();
  if (root) await app.register(fastifyStatic, { root, wildcard: false });
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/') || request.method !== 'GET') {
      return reply
        .code(404)
        .send({ code: 'not_found', message: `no route ${request.method} ${request.url}` });
    }
    if (!root) return reply.type('text/html').send(notBuiltPage);
    return reply.sendFile('index.html');
  });
}
