import type { FastifyInstance } from 'fastify';
import { MessageRejected } from '../../protocol/rejection.js';
import { HttpError } from '../../shared/errors.js';
import { requireRole } from '../hub-auth.js';
import type { HubContext } from '../hub-context.js';
import {
  flowDimensions,
  flowRows,
  flowsBy,
  networkCollectors,
  type FlowDimension,
  type FlowFilter,
} from '../network/flow-queries.js';
import { NetworkIntake, type FlowDelivery } from '../network/network-intake.js';
import { maxMessageBytes } from './component-routes.js';

const defaultRangeMillis = 3_600_000; // the last hour
const defaultLimit = 100;
const maxLimit = 1_000;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Network flows: batches from network collectors (sealed on the collector's channel), and the
 * API that serves them per user, machine, application, protocol and destination (viewer).
 */
export async function networkRoutes(app: FastifyInstance, hub: HubContext) {
  const intake = new NetworkIntake(hub);
  const viewer = { preValidation: requireRole(hub, 'viewer') };

  app.post(
    '/api/v1/collector/network-flows',
    { bodyLimit: maxMessageBytes },
    async (request, reply) => {
      const { session, plaintext } = await hub.channel.receive(request.body);
      await requireCollector(hub, session.senderId);
      let delivery: FlowDelivery;
      try {
        delivery = JSON.parse(plaintext.toString('utf8')) as FlowDelivery;
      } catch {
        throw new MessageRejected('malformed', 'the decrypted body is not JSON');
      }
      const outcome = await intake.receive(session.senderId, delivery ?? {});
      if (outcome.kind === 'invalid') {
        hub.log.warn(
          { collectorId: session.senderId, reason: outcome.message },
          'flow batch refused',
        );
        throw new HttpError(400, 'invalid_network_batch', outcome.message);
      }
      if (outcome.kind === 'busy') {
        return reply
          .code(503)
          .header('retry-after', String(outcome.retryAfterSeconds))
          .send({ code: 'hub_busy', message: outcome.message });
      }
      const { kind: _kind, ...answer } = outcome;
      const seq = (request.body as { seq: number }).seq;
      return hub.channel.reply(session, seq, Buffer.from(JSON.stringify(answer)));
    },
  );

  app.get('/api/v1/network/flows', viewer, async (request) => ({
    flows: await flowRows(hub.store, filterOf(hub, request.query)),
  }));
  app.get('/api/v1/network/collectors', viewer, async () => ({
    collectors: await networkCollectors(hub.store),
  }));
  for (const dimension of Object.keys(flowDimensions) as FlowDimension[]) {
    app.get(`/api/v1/network/${dimension}`, viewer, async (request) => ({
      [dimension]: await flowsBy(hub.store, dimension, filterOf(hub, request.query)),
    }));
  }
}

async function requireCollector(hub: HubContext, componentId: string): Promise<void> {
  const rows = await hub.store.query<{ kind: string }>(
    'SELECT kind FROM components WHERE id = $1',
    [componentId],
  );
  if (rows[0]?.kind !== 'collector') {
    throw new MessageRejected('wrong_recipient', 'this route is for collectors');
  }
}

/** `from` and `to` (ISO times; default the last hour), `machine`, `user`, `protocol`, `limit`. */
function filterOf(hub: HubContext, query: unknown): FlowFilter {
  const q = (query ?? {}) as Record<string, string | undefined>;
  const toMillis = q.to === undefined ? hub.nowMillis() : timeOf(q.to, 'to');
  const fromMillis = q.from === undefined ? toMillis - defaultRangeMillis : timeOf(q.from, 'from');
  const limit = q.limit === undefined ? defaultLimit : Number(q.limit);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > maxLimit) {
    throw new HttpError(
      400,
      'invalid_request',
      `limit must be a whole number from 1 to ${maxLimit}`,
    );
  }
  for (const name of ['machine', 'user'] as const) {
    if (q[name] !== undefined && !uuidPattern.test(q[name])) {
      throw new HttpError(400, 'invalid_request', `${name} must be an id (a UUID)`);
    }
  }
  return {
    fromMillis,
    toMillis,
    machineId: q.machine,
    userId: q.user,
    protocol: q.protocol,
    limit,
  };
}

function timeOf(text: string, name: string): number {
  const millis = Date.parse(text);
  if (Number.isNaN(millis))
    throw new HttpError(400, 'invalid_request', `${name} must be an ISO time`);
  return millis;
}
