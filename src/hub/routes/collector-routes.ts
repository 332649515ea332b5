import type { FastifyInstance, FastifyRequest } from 'fastify';
import { checkCollectorConfig } from '../../collector/collector-config.js';
import { storeCallbacks, type ReceivedCallback } from '../../intake/store-callbacks.js';
import { checkCallback } from '../../protocol/callback-validator.js';
import type { ChannelSession } from '../../protocol/channel-server.js';
import { MessageRejected } from '../../protocol/rejection.js';
import { ConfigError, HttpError } from '../../shared/errors.js';
import { classifyStoreError } from '../../store/store-errors.js';
import {
  collectorsForAgents,
  listCollectors,
  recordCollectorReport,
  setCollectorConfig,
} from '../collector-registry.js';
import { requireRole } from '../hub-auth.js';
import type { HubContext } from '../hub-context.js';
import { maxMessageBytes } from './component-routes.js';

type Kind = 'agent' | 'collector';

/**
 * Routes for collectors (reports, agent look-ups, batches to store) and for agents (the
 * collector list), all sealed on the sender's channel session; and the collector list and
 * configuration for people.
 */
export async function collectorRoutes(app: FastifyInstance, hub: HubContext) {
  const kinds = new Map<string, Kind>();
  const sealed = <T>(
    path: string,
    kind: Kind | null,
    handle: (body: T, session: ChannelSession) => Promise<unknown>,
  ) =>
    app.post(path, { bodyLimit: maxMessageBytes }, async (request: FastifyRequest) => {
      const { session, plaintext } = await hub.channel.receive(request.body);
      if (kind && (await kindOf(session.senderId)) !== kind) {
        throw new MessageRejected('wrong_recipient', `this route is for ${kind}s`);
      }
      let body: T;
      try {
        body = JSON.parse(plaintext.toString('utf8')) as T;
      } catch {
        throw new MessageRejected('malformed', 'the decrypted body is not JSON');
      }
      const answer = await handle(body, session);
      const seq = (request.body as { seq: number }).seq;
      return hub.channel.reply(session, seq, Buffer.from(JSON.stringify(answer)));
    });
  const kindOf = async (id: string) => {
    if (!kinds.has(id)) {
      const rows = await hub.store.query<{ kind: Kind }>(
        'SELECT kind FROM components WHERE id = $1',
        [id],
      );
      if (rows[0]) kinds.set(id, rows[0].kind); // a component's kind never changes
    }
    return kinds.get(id);
  };

  sealed<Record<string, unknown>>('/api/v1/collector/report', 'collector', (report, session) =>
    recordCollectorReport(hub.store, session.senderId, report),
  );

  sealed<{ agentId?: unknown }>('/api/v1/collector/agent', 'collector', async ({ agentId }) => {
    if (typeof agentId !== 'string' || !/^[0-9a-f-]{36}$/.test(agentId)) return { agent: null };
    const rows = await hub.store.query<{
      status: 'active' | 'revoked';
      public_key_pem: string;
      certificate_not_after: Date;
    }>(
      `SELECT status, public_key_pem, certificate_not_after FROM components
       WHERE id = $1 AND kind = 'agent'`,
      [agentId],
    );
    const row = rows[0];
    if (!row) return { agent: null };
    const certificateNotAfter = new Date(row.certificate_not_after).toISOString();
    return {
      agent: {
        id: agentId,
        status: row.status,
        publicKeyPem: row.public_key_pem,
        certificateNotAfter,
      },
    };
  });

  sealed<{ callbacks?: unknown }>(
    '/api/v1/collector/batches',
    'collector',
    async (body, session) => {
      if (!Array.isArray(body.callbacks))
        throw new MessageRejected('malformed', 'callbacks must be a list');
      const batch: ReceivedCallback[] = body.callbacks.map((item: Partial<ReceivedCallback>) => {
        const checked = checkCallback(item?.callback);
        if (!checked.ok || typeof item.agentId !== 'string') {
          throw new MessageRejected(
            'invalid_callback',
            checked.ok ? 'agentId is missing' : checked.problem,
          );
        }
        const receivedAtMillis = Number.isFinite(item.receivedAtMillis)
          ? item.receivedAtMillis
          : undefined;
        return {
          agentId: item.agentId,
          callback: checked.callback,
          collectorId: session.senderId,
          receivedAtMillis,
        };
      });
      try {
        const outcome = await storeCallbacks(hub.store, batch);
        hub.counters.callbacksStored += outcome.stored;
        hub.counters.callbacksDuplicate += outcome.duplicates;
        return { stored: outcome.stored, duplicates: outcome.duplicates, rows: outcome.rows };
      } catch (error) {
        // The collector splits a refused batch until it finds the callback the store refuses.
        if (classifyStoreError(error) === 'data')
          throw new MessageRejected('invalid_callback', 'a value is outside what the store holds');
        throw error;
      }
    },
  );

  sealed('/api/v1/agent/collectors', null, async () => ({
    collectors: await collectorsForAgents(hub.store),
  }));

  app.get('/api/v1/collectors', { preValidation: requireRole(hub, 'viewer') }, async () => ({
    collectors: await listCollectors(hub.store, hub.nowMillis()),
  }));

  app.put(
    '/api/v1/collectors/:id/config',
    { preValidation: requireRole(hub, 'administrator') },
    async (request) => {
      const { id } = request.params as { id: string };
      let config;
      try {
        config = checkCollectorConfig(request.body);
      } catch (error) {
        if (error instanceof ConfigError) throw new HttpError(400, 'invalid_config', error.message);
        throw error;
      }
      const updated = /^[0-9a-f-]{36}$/.test(id)
        ? await setCollectorConfig(hub.store, id, config, request.caller!.actor)
        : null;
      if (!updated) throw new HttpError(404, 'collector_not_found', `no collector with id ${id}`);
      return { ...updated, config };
    },
  );
}
