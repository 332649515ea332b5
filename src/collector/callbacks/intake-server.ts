import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify';
import type { ChannelServer } from '../../protocol/channel-server.js';
import { MessageRejected, type RejectionCounter } from '../../protocol/rejection.js';
import type { Logger } from '../../shared/logger.js';
import { callbackBatchPath } from '../../protocol/callback-batch.js';
import { receiveCallback, receiveCallbackBatch, type ReceiverParts } from './callback-receiver.js';
import { IntakeRefused } from './intake-refusals.js';

/** Largest sealed message a collector accepts, in bytes: 8 MiB, as the hub. */
export const maxIntakeMessageBytes = 8 * 1024 * 1024;

export interface IntakeServerParts extends ReceiverParts {
  channel: ChannelServer;
  rejections: RejectionCounter;
  log: Logger;
}

/**
 * The collector's HTTP face for agents: the same channel routes and callback route the hub
 * serves, so an agent talks to either the same way. Nothing else is served here.
 */
export async function buildIntakeServer(parts: IntakeServerParts): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: parts.log as FastifyBaseLogger,
    // One line per request would drown the log at intake rates; refusals are counted instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: maxIntakeMessageBytes,
  }) as unknown as FastifyInstance;

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof IntakeRefused) {
      parts.counters.refused[error.code]++;
      // Not a warning: back-pressure is the collector doing its job. Counted, not logged.
      return reply
        .code(503)
        .header('retry-after', String(error.retryAfterSeconds))
        .send({ code: error.code, message: error.message });
    }
    const refusal = asRejection(error);
    if (refusal) {
      parts.rejections.add(refusal.code);
      parts.log.warn({ code: refusal.code, remote: request.ip, url: request.url }, refusal.message);
      return reply.code(refusal.status).send({ code: refusal.code, message: refusal.message });
    }
    parts.log.error({ err: error, url: request.url }, 'intake request failed');
    return reply.code(500).send({ code: 'internal_error', message: 'the collector failed' });
  });

  app.get('/healthz', async () => ({ status: 'ok', role: 'callbacks' }));
  app.post('/api/v1/channel/challenge', async (request) => {
    const componentId = (request.body as { componentId?: unknown } | null)?.componentId;
    if (typeof componentId !== 'string' || componentId.length > 64) {
      throw new MessageRejected('malformed', 'componentId is required');
    }
    return parts.channel.issueChallenge(componentId);
  });
  app.post('/api/v1/channel/open', async (request) => {
    const { senderId: _sender, ...accepted } = await parts.channel.openSession(request.body);
    return accepted;
  });
  app.post('/api/v1/callbacks', async (request) => receiveCallback(parts, request.body));
  app.post(callbackBatchPath, async (request) => receiveCallbackBatch(parts, request.body));
  return app;
}

/** A refused message's reason, from our own refusal or from Fastify's body checks. */
function asRejection(error: FastifyError): MessageRejected | null {
  if (error instanceof MessageRejected) return error;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new MessageRejected('oversized');
  if (error.statusCode === 400 || error.statusCode === 415) return new MessageRejected('malformed');
  return null;
}
