import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../shared/errors.js';
import { listDefinitions } from '../lists/list-definitions.js';
import { requireRole } from '../hub-auth.js';
import type { HubContext } from '../hub-context.js';
import {
  deleteSavedFilter,
  listSavedFilters,
  maxSavedFiltersPerOwner,
  saveFilter,
} from '../saved-filters.js';

const savedFilterBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'params'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' },
    list: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[a-z0-9-]+$' },
    params: {
      type: 'object',
      maxProperties: 40,
      propertyNames: { type: 'string', minLength: 1, maxLength: 100 },
      additionalProperties: { type: 'string', maxLength: 1_000 },
    },
  },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

/** Each caller's own saved inspector filters; nobody sees or removes another's. */
export async function savedFilterRoutes(app: FastifyInstance, hub: HubContext) {
  const viewer = { preValidation: requireRole(hub, 'viewer') };

  app.get('/api/v1/saved-filters', viewer, async (request) => ({
    filters: await listSavedFilters(hub.store, request.caller!.actor),
  }));

  app.post(
    '/api/v1/saved-filters',
    { ...viewer, schema: { body: savedFilterBody } },
    async (request, reply) => {
      const body = request.body as { name: string; list?: string; params: Record<string, string> };
      if (body.list !== undefined && !Object.hasOwn(listDefinitions, body.list)) {
        const names = Object.keys(listDefinitions).join(', ');
        throw new HttpError(
          400,
          'invalid_request',
          `list: no list named ${body.list}; there are ${names}`,
        );
      }
      const outcome = await saveFilter(hub.store, request.caller!.actor, {
        ...body,
        name: body.name.trim(),
      });
      if (outcome.status === 'name_taken') {
        throw new HttpError(409, 'saved_filter_name_taken', `a filter named "${body.name}" exists`);
      }
      if (outcome.status === 'too_many') {
        throw new HttpError(
          409,
          'saved_filter_limit',
          `at most ${maxSavedFiltersPerOwner} saved filters each; remove one first`,
        );
      }
      return reply.code(201).send(outcome.filter);
    },
  );

  app.delete(
    '/api/v1/saved-filters/:id',
    { ...viewer, schema: { params: idParams } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!(await deleteSavedFilter(hub.store, request.caller!.actor, id))) {
        throw new HttpError(
          404,
          'saved_filter_not_found',
          `you have no saved filter with id ${id}`,
        );
      }
      return reply.code(204).send();
    },
  );
}
