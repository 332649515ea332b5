import type { ReceivedCallback } from '../../intake/store-callbacks.js';
import type { HubLink } from '../hub-link.js';
import type { CallbackSink, SinkOutcome } from './callback-sink.js';

/** Largest batch sent to the hub at once, in bytes of queued records: 4 MiB (the hub takes 8). */
const maxHubBatchBytes = 4 * 1024 * 1024;

/**
 * Hands batches to the hub, which stores them in its embedded store (only the hub process can
 * open it). The batch travels sealed on the collector's own channel; the hub answers after its
 * commit, so an answer means stored.
 */
export function hubSink(hub: HubLink): CallbackSink {
  return {
    name: 'hub',
    maxBatchBytes: maxHubBatchBytes,
    async write(batch: readonly ReceivedCallback[]): Promise<SinkOutcome> {
      const answer = await hub.call<{ stored: number; duplicates: number; rows: number }>(
        '/api/v1/collector/batches',
        { callbacks: batch },
      );
      if (answer.kind === 'answer') return { kind: 'stored', ...answer.body };
      if (answer.kind === 'unreachable') return { kind: 'unavailable', reason: answer.message };
      if (answer.code === 'invalid_callback') return { kind: 'refused', reason: answer.message };
      return {
        kind: 'unavailable',
        reason: `${answer.code}: ${answer.message}`,
        ...(answer.retryAfterSeconds ? { retryAfterMillis: answer.retryAfterSeconds * 1_000 } : {}),
      };
    },
    close: async () => undefined,
  };
}
