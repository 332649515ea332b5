import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../shared/errors.js';
import {
  machineHistory,
  networkLatencyByGroup,
  siteOverview,
  topApplications,
  userLogons,
  worstMachines,
} from '../dashboard/dashboard-queries.js';
import { requireRole } from '../hub-auth.js';
import type { HubContext } from '../hub-context.js';
import { readSiteTimeZone, setSiteTimeZone } from '../rollups/site-time-zone.js';

const uuid = { type: 'string', format: 'uuid' } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: uuid } } as const;
const rangeQuery = (maxDays: number, defaultDays: number, defaultLimit?: number) => ({
  type: 'object',
  additionalProperties: false,
  properties: {
    days: { type: 'integer', minimum: 1, maximum: maxDays, default: defaultDays },
    ...(defaultLimit === undefined
      ? {}
      : { limit: { type: 'integer', minimum: 1, maximum: 1_000, default: defaultLimit } }),
  },
});

const limitQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'integer', minimum: 1, maximum: 1_000, default: 50 } },
} as const;

type Range = { days: number; limit: number };

/** The dashboard's figures (viewer and up) and the site's time zone setting. */
export async function dashboardRoutes(app: FastifyInstance, hub: HubContext) {
  const viewer = { preValidation: requireRole(hub, 'viewer') };
  const admin = { preValidation: requireRole(hub, 'administrator') };

  app.get('/api/v1/dashboard/overview', viewer, async () =>
    siteOverview(hub.store, hub.nowMillis()),
  );
  app.get(
    '/api/v1/dashboard/worst-machines',
    { ...viewer, schema: { querystring: limitQuery } },
    async (request) => worstMachines(hub.store, (request.query as Range).limit),
  );
  app.get(
    '/api/v1/dashboard/machines/:id/history',
    { ...viewer, schema: { params: idParams, querystring: rangeQuery(400, 30) } },
    async (request) => {
      const { id } = request.params as { id: string };
      const known = await hub.store.query('SELECT 1 FROM machines WHERE id = $1', [id]);
      if (known.length === 0) throw new HttpError(404, 'not_found', `no machine ${id}`);
      return machineHistory(hub.store, id, hub.nowMillis(), (request.query as Range).days);
    },
  );
  app.get(
    '/api/v1/dashboard/users/:id/logons',
    { ...viewer, schema: { params: idParams, querystring: rangeQuery(400, 30, 200) } },
    async (request) => {
      const { id } = request.params as { id: string };
      const { days, limit } = request.query as Range;
      const found = await userLogons(hub.store, id, hub.nowMillis(), days, limit);
      if (!found) throw new HttpError(404, 'not_found', `no user ${id}`);
      return found;
    },
  );
  app.get(
    '/api/v1/dashboard/top-applications',
    { ...viewer, schema: { querystring: rangeQuery(400, 7, 20) } },
    async (request) => {
      const { days, limit } = request.query as Range;
      return { applications: await topApplications(hub.store, hub.nowMillis(), days, limit) };
    },
  );
  app.get(
    '/api/v1/dashboard/network-latency',
    { ...viewer, schema: { querystring: rangeQuery(400, 7) } },
    async (request) => ({
      groups: await networkLatencyByGroup(
        hub.store,
        hub.nowMillis(),
        (request.query as Range).days,
      ),
    }),
  );

  app.get('/api/v1/settings/time-zone', admin, async () => ({
    timeZone: await readSiteTimeZone(hub.store),
  }));
  app.put(
    '/api/v1/settings/time-zone',
    {
      ...admin,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['timeZone'],
          properties: { timeZone: { type: 'string', maxLength: 64 } },
        },
      },
    },
    async (request) => {
      const { timeZone } = request.body as { timeZone: string };
      return setSiteTimeZone(hub.store, timeZone, request.caller!.actor);
    },
  );
}
