import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ChannelSession } from '../../protocol/channel-server.js';
import { MessageRejected } from '../../protocol/rejection.js';
import type { HubContext } from '../hub-context.js';
import { maxMessageBytes } from './component-routes.js';

type Kind = 'agent' | 'collector';

/**
 * Registers POST routes whose body is a sealed message on the sender's channel session and
 * whose answer is sealed back: the handler sees the decrypted JSON and the session. `kind`
 * limits a route to agents or collectors (null: either).
 */
export function sealedRoute(app: FastifyInstance, hub: HubContext) {
  const kinds = new Map<string, Kind>();
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

  return <T>(
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
}
