import { ChannelClient, type ChannelResult } from '../protocol/channel-client.js';
import { httpTransport } from '../protocol/http-transport.js';
import type { ComponentIdentity } from '../agent/agent-identity.js';

/** How long one call to the hub may take before the collector treats the hub as away: 15 s. */
const hubRequestTimeoutMillis = 15_000;

/** What a sealed call to the hub came to: its decrypted answer, or why there is none. */
export type HubAnswer<T> =
  | { kind: 'answer'; body: T }
  | { kind: 'refused'; status: number; code: string; message: string; retryAfterSeconds?: number }
  | { kind: 'unreachable'; message: string };

/**
 * The collector's own sealed channel to the hub, for reports, agent look-ups and (with the
 * embedded store) the batches it drains. Calls are independent; the channel opens and renews
 * its session by itself.
 */
export class HubLink {
  /** The sealed channel itself, for callers that read its results directly. */
  readonly client: ChannelClient;

  constructor(identity: ComponentIdentity, privateKeyPem: string) {
    this.client = new ChannelClient({
      componentId: identity.componentId,
      privateKeyPem,
      recipientId: identity.hubId,
      recipientPublicKeyPem: identity.hubPublicKeyPem,
      transport: httpTransport(identity.hubUrl, hubRequestTimeoutMillis),
    });
  }

  async call<T>(path: string, payload: unknown): Promise<HubAnswer<T>> {
    let result: ChannelResult;
    try {
      result = await this.client.request(path, payload);
    } catch (error) {
      // A hub that restarted forgets sessions; a new one opens on the next call.
      this.client.reset();
      return { kind: 'unreachable', message: (error as Error).message };
    }
    if (result.kind === 'reply') return { kind: 'answer', body: result.body as T };
    return { ...result, kind: 'refused' };
  }
}
