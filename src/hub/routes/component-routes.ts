import type { FastifyInstance } from 'fastify';
import { checkCallback } from '../../protocol/callback-validator.js';
import { MessageRejected } from '../../protocol/rejection.js';
import { activateComponent } from '../activation-service.js';
import { callbackBatchPath, decodeBatch } from '../../protocol/callback-batch.js';
import {
  isDataException,
  outsideStoreMessage,
  storeCallback,
  storeCallbackBatch,
} from '../callback-intake.js';
import type { HubContext } from '../hub-context.js';

/** Largest sealed message the hub accepts, in bytes: 8 MiB (a callback is far smaller). */
export const maxMessageBytes = 8 * 1024 * 1024;

/** Routes agents and collectors use: activation, the secure channel, and callbacks. */
export async function componentRoutes(app: FastifyInstance, hub: HubContext) {
  const limits = { bodyLimit: maxMessageBytes };

  // Public on purpose: a component checks this against its token's pin before it spends a use
  // of the token, so pointing it at the wrong hub costs nothing.
  app.get('/api/v1/ca', async () => ({ caCertificatePem: hub.identity.ca.certificatePem }));

  app.post('/api/v1/activate', limits, async (request) => {
    const { componentId, ...response } = await activateComponent(hub, request.body);
    hub.log.info({ componentId }, 'component activated');
    return response;
  });

  app.post('/api/v1/channel/challenge', limits, async (request) => {
    const componentId = (request.body as { componentId?: unknown } | null)?.componentId;
    if (typeof componentId !== 'string' || componentId.length > 64) {
      throw new MessageRejected('malformed', 'componentId is required');
    }
    return hub.channel.issueChallenge(componentId);
  });

  app.post('/api/v1/channel/open', limits, async (request) => {
    const { senderId: _sender, ...accepted } = await hub.channel.openSession(request.body);
    return accepted;
  });

  app.post('/api/v1/callbacks', limits, async (request) => {
    const { session, plaintext } = await hub.channel.receive(request.body);
    let parsed: unknown;
    try {
      parsed = JSON.parse(plaintext.toString('utf8'));
    } catch {
      throw new MessageRejected('invalid_callback', 'the decrypted body is not JSON');
    }
    const checked = checkCallback(parsed);
    if (!checked.ok) throw new MessageRejected('invalid_callback', checked.problem);

    // Acknowledged only after the transaction commits: an ack means the callback is stored.
    const outcome = await storeCallback(hub.store, session.senderId, checked.callback).catch(
      (error: unknown) => {
        // The schema cannot spell out every value the store refuses (year 0, an offset past
        // 15:59, a NUL in text). Refused as invalid, the agent sets the callback aside instead
        // of resending it forever ahead of everything it measured since.
        if (isDataException(error)) {
          throw new MessageRejected('invalid_callback', outsideStoreMessage);
        }
        throw error;
      },
    );
    if (outcome.status === 'stored') hub.counters.callbacksStored++;
    else hub.counters.callbacksDuplicate++;
    const seq = (request.body as { seq: number }).seq;
    const ack = { callbackId: checked.callback.callbackId, status: outcome.status };
    return hub.channel.reply(session, seq, Buffer.from(JSON.stringify(ack)));
  });

  // A backlog after an outage: up to five callbacks, each answered on its own. Stored before
  // the answer, as above; the agent sends one batch at a time, so the hub sets the pace.
  app.post(callbackBatchPath, limits, async (request) => {
    const { session, plaintext } = await hub.channel.receive(request.body);
    const callbacks = decodeBatch(plaintext);
    const results = await storeCallbackBatch(hub.store, session.senderId, callbacks);
    for (const result of results) {
      if (result.status === 'stored') hub.counters.callbacksStored++;
      if (result.status === 'duplicate') hub.counters.callbacksDuplicate++;
      if (result.status === 'refused') hub.rejections.add('invalid_callback');
    }
    const seq = (request.body as { seq: number }).seq;
    return hub.channel.reply(session, seq, Buffer.from(JSON.stringify({ results })));
  });
}
