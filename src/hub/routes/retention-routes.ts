import type { FastifyInstance } from 'fastify';
import { requireRole } from '../hub-auth.js';
import type { HubContext } from '../hub-context.js';
import {
  changeRetentionSettings,
  maxDetailDays,
  minCeilingBytes,
  minDetailDays,
  readRetentionSettings,
  type RetentionSettings,
} from '../retention/retention-settings.js';

const retentionBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    detailDays: { type: 'integer', minimum: minDetailDays, maximum: maxDetailDays },
    // null removes the ceiling.
    ceilingBytes: { type: ['integer', 'null'], minimum: minCeilingBytes },
  },
} as const;

/** Retention settings: days of detail kept and the storage ceiling. */
export async function retentionRoutes(app: FastifyInstance, hub: HubContext) {
  const viewer = { preValidation: requireRole(hub, 'viewer') };
  const administrator = { preValidation: requireRole(hub, 'administrator') };

  app.get('/api/v1/settings/retention', viewer, () => readRetentionSettings(hub.store));

  app.put(
    '/api/v1/settings/retention',
    { ...administrator, schema: { body: retentionBody } },
    async (request) => {
      const change = request.body as Partial<RetentionSettings>;
      return changeRetentionSettings(hub.store, change, request.caller!.actor);
    },
  );
}
