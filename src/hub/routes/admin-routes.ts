import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { writeBackup } from '../../store/backup-file.js';
import { recordBackup } from '../store-admin.js';
import { HttpError } from '../../shared/errors.js';
import {
  createActivationToken,
  listActivationTokens,
  revokeActivationToken,
} from '../activation-tokens.js';
import { listChangeLog, maxListedEntries, verifyChangeLog } from '../change-log-audit.js';
import { revokeComponent } from '../component-directory.js';
import {
  createApiToken,
  listApiTokens,
  revokeApiToken,
  type ApiTokenRequest,
} from '../credentials.js';
import { tokenScopes } from '../token-scopes.js';
import { requireRole } from '../hub-auth.js';
import type { HubContext } from '../hub-context.js';
import { hubStatus, metricsText } from '../hub-status.js';
import { roles } from '../people.js';

const activationTokenSchema = {
  body: {
    type: 'object',
    additionalProperties: false,
    properties: {
      kind: { enum: ['agent', 'collector', 'any'], default: 'agent' },
      uses: { type: 'integer', minimum: 1, maximum: 100_000, default: 1 },
      expiresHours: { type: 'number', exclusiveMinimum: 0, maximum: 8_760, default: 24 },
      label: { type: 'string', maxLength: 200 },
    },
  },
};

const apiTokenSchema = {
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['role'],
    properties: {
      role: { enum: roles },
      scopes: {
        type: 'array',
        // An empty list would read as "no narrowing": leave the field out for that.
        minItems: 1,
        uniqueItems: true,
        maxItems: tokenScopes.length,
        items: { enum: tokenScopes },
        description: 'narrow the token to these route groups; left out: all its role allows',
      },
      label: { type: 'string', maxLength: 200 },
      expiresDays: { type: 'number', exclusiveMinimum: 0, maximum: 3_650 },
    },
  },
};

const changeLogQuerySchema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      actor: { type: 'string', maxLength: 200 },
      action: { type: 'string', maxLength: 200 },
      subject: { type: 'string', maxLength: 500 },
      from: { type: 'string', format: 'date-time' },
      to: { type: 'string', format: 'date-time' },
      before: { type: 'string', pattern: '^[0-9]{1,18}$' },
      limit: { type: 'integer', minimum: 1, maximum: maxListedEntries, default: 100 },
    },
  },
};

/** Administration over the API: tokens, revocation, status and metrics. */
export async function adminRoutes(app: FastifyInstance, hub: HubContext) {
  const admin = { preValidation: requireRole(hub, 'administrator') };
  const viewer = { preValidation: requireRole(hub, 'viewer') };

  app.post(
    '/api/v1/activation-tokens',
    { ...admin, schema: activationTokenSchema },
    async (request) => {
      const body = request.body as {
        kind: 'agent' | 'collector' | 'any';
        uses: number;
        expiresHours: number;
        label?: string;
      };
      return createActivationToken(hub.store, hub.identity.caPin, {
        ...body,
        actor: request.caller!.actor,
      });
    },
  );

  app.post('/api/v1/api-tokens', { ...admin, schema: apiTokenSchema }, async (request) => {
    const body = request.body as Omit<ApiTokenRequest, 'actor'>;
    return createApiToken(hub.store, { ...body, actor: request.caller!.actor });
  });

  app.get('/api/v1/api-tokens', admin, async () => ({ tokens: await listApiTokens(hub.store) }));

  app.get('/api/v1/activation-tokens', admin, async () => ({
    tokens: await listActivationTokens(hub.store),
  }));

  app.delete('/api/v1/activation-tokens/:id', admin, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!(await revokeActivationToken(hub.store, id, request.caller!.actor))) {
      throw new HttpError(404, 'token_not_found', `no open activation token ${id}`);
    }
    return reply.code(204).send();
  });

  app.delete('/api/v1/api-tokens/:id', admin, async (request, reply) => {
    const { id } = request.params as { id: string };
    const known = /^[0-9a-f-]{36}$/.test(id);
    if (!known || !(await revokeApiToken(hub.store, id, request.caller!.actor))) {
      throw new HttpError(404, 'token_not_found', `no API token ${id} in use`);
    }
    return reply.code(204).send();
  });

  app.post('/api/v1/components/:id/revoke', admin, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (
      !/^[0-9a-f-]{36}$/.test(id) ||
      !(await revokeComponent(hub.store, id, request.caller!.actor))
    ) {
      throw new HttpError(404, 'component_not_found', `no active agent or collector with id ${id}`);
    }
    hub.channel.endSessionsOf(id);
    hub.log.info({ componentId: id }, 'component revoked');
    return reply.code(204).send();
  });

  app.get('/api/v1/change-log', { ...admin, schema: changeLogQuerySchema }, async (request) => {
    const query = request.query as Record<string, string | number | undefined>;
    const date = (text: unknown) => (typeof text === 'string' ? new Date(text) : undefined);
    const [from, to] = [date(query.from), date(query.to)];
    if (from && to && from > to) {
      throw new HttpError(400, 'invalid_request', 'from: must not be after to');
    }
    const entries = await listChangeLog(hub.store, {
      actor: query.actor as string | undefined,
      action: query.action as string | undefined,
      subject: query.subject as string | undefined,
      from,
      to,
      beforeId: query.before as string | undefined,
      limit: query.limit as number,
    });
    return { entries };
  });

  app.get('/api/v1/change-log/verify', admin, async () => verifyChangeLog(hub.store));

  // The whole store as a backup file, streamed as it is read (see store/backup-file.ts).
  app.post('/api/v1/admin/backup', admin, async (request, reply) => {
    const actor = request.caller!.actor;
    const body = new PassThrough();
    const name = `strata-backup-${new Date().toISOString().replace(/[:.]/g, '-')}.gz`;
    writeBackup(hub.store, body)
      .then((manifest) => recordBackup(hub.store, actor, manifest, name))
      .catch((error: unknown) => {
        // Cut the connection, so the reader sees a failed download rather than a short file
        // ending normally, and the server does not wait on a response that will never end.
        reply.raw.destroy();
        hub.log.warn({ err: error, actor }, 'backup over the API not finished');
      });
    return reply
      .type('application/gzip')
      .header('content-disposition', `attachment; filename="${name}"`)
      .send(body);
  });

  app.get('/api/v1/status', viewer, async () => hubStatus(hub.store, hub));

  app.get('/metrics', viewer, async (_request, reply) => {
    reply.type('text/plain; version=0.0.4');
    return metricsText(await hubStatus(hub.store, hub));
  });
}
