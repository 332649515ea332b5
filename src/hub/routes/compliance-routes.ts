import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../shared/errors.js';
import { requireRole } from '../hub-auth.js';
import type { HubContext } from '../hub-context.js';
import { defaultAdministratorWindowDays, securityFindings } from '../compliance/security-checks.js';
import { usageHours } from '../compliance/usage-hours.js';
import { readSiteTimeZone } from '../rollups/site-time-zone.js';
import { timeRangeQuery } from './time-range-query.js';

/** Longest period one usage question may cover: a little over a year. */
const maxUsageDays = 370;

/** What policies ask to be checked and counted: security findings and hours of use. */
export async function complianceRoutes(app: FastifyInstance, hub: HubContext) {
  const viewer = { preValidation: requireRole(hub, 'viewer') };

  app.get(
    '/api/v1/security-findings',
    {
      ...viewer,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { days: { type: 'integer', minimum: 1, maximum: 365 } },
        },
      },
    },
    async (request) => {
      const { days } = request.query as { days?: number };
      const nowMillis = hub.nowMillis();
      const findings = await securityFindings(hub.store, {
        nowMillis,
        administratorWindowDays: days ?? defaultAdministratorWindowDays,
      });
      return { checkedAt: new Date(nowMillis).toISOString(), findings };
    },
  );

  app.get(
    '/api/v1/usage-hours',
    {
      ...viewer,
      schema: { querystring: timeRangeQuery },
    },
    async (request) => {
      const query = request.query as { from?: string; to?: string };
      const now = new Date(hub.nowMillis());
      // By default the current month so far, in the site's time zone (as roll-ups count).
      const from = query.from ? new Date(query.from) : await monthStart(hub, now);
      const to = query.to ? new Date(query.to) : now;
      if (to <= from) throw new HttpError(400, 'invalid_period', '`to` must be after `from`');
      if (to.getTime() - from.getTime() > maxUsageDays * 86_400_000) {
        throw new HttpError(400, 'invalid_period', `ask for at most ${maxUsageDays} days at once`);
      }
      return usageHours(hub.store, { from, to });
    },
  );
}

/** The first instant of `now`'s month in the site's time zone. */
async function monthStart(hub: HubContext, now: Date): Promise<Date> {
  const zone = await readSiteTimeZone(hub.store);
  const [row] = await hub.store.query<{ start: Date }>(
    `SELECT date_trunc('month', $1::timestamptz AT TIME ZONE $2) AT TIME ZONE $2 AS start`,
    [now, zone],
  );
  return new Date(row!.start);
}
