/**
 * A batch of callbacks in one sealed request, for an agent working off a backlog: the newest
 * callback and up to four queued ones. Hub and collectors answer each callback on its own, in
 * the order sent, so one bad callback never holds back the others.
 */

import { MessageRejected } from './rejection.js';

/** Where a batch goes, on the hub and on every callback collector. */
export const callbackBatchPath = '/api/v1/callbacks/batch';
/** Most callbacks in one batch: the newest and four queued ones. */
export const maxCallbacksPerBatch = 5;

export interface CallbackBatchV1 {
  schema: 'strata.callback-batch.v1';
  callbacks: unknown[];
}

/** What became of one callback of a batch. */
export type CallbackAck =
  /** stored: in the store now; duplicate: stored before; queued: durable at a collector. */
  | { callbackId: string; status: 'stored' | 'duplicate' | 'queued' }
  /** Refused for good, with the reason's code: resending it cannot help. */
  | { callbackId: string | null; status: 'refused'; code: string; message: string };

export interface CallbackBatchReply {
  results: CallbackAck[];
}

/**
 * The callbacks of a decrypted batch body, each still to be checked on its own; throws
 * MessageRejected (malformed) when the body is not a batch at all.
 */
export function decodeBatch(plaintext: Buffer): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(plaintext.toString('utf8'));
  } catch {
    throw new MessageRejected('malformed', 'the decrypted body is not JSON');
  }
  const batch = checkBatchEnvelope(parsed);
  if (!batch.ok) throw new MessageRejected('malformed', batch.problem);
  return batch.callbacks;
}

/** The callbacks of a parsed batch body, or the reason it is not a batch. */
export function checkBatchEnvelope(
  value: unknown,
): { ok: true; callbacks: unknown[] } | { ok: false; problem: string } {
  const batch = value as Partial<CallbackBatchV1> | null;
  if (batch === null || typeof batch !== 'object' || batch.schema !== 'strata.callback-batch.v1')
    return { ok: false, problem: 'not a strata.callback-batch.v1 message' };
  const { callbacks } = batch;
  if (!Array.isArray(callbacks) || callbacks.length === 0)
    return { ok: false, problem: 'a batch needs at least one callback' };
  if (callbacks.length > maxCallbacksPerBatch)
    return { ok: false, problem: `a batch holds at most ${maxCallbacksPerBatch} callbacks` };
  return { ok: true, callbacks };
}

/** The id a refused callback claimed, when it claimed one, so the agent can match it. */
export function claimedCallbackId(value: unknown): string | null {
  const id = (value as { callbackId?: unknown } | null)?.callbackId;
  return typeof id === 'string' && id.length <= 64 ? id : null;
}
