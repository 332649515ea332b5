import {
  callbackBatchPath,
  maxCallbacksPerBatch,
  type CallbackAck,
  type CallbackBatchReply,
} from '../protocol/callback-batch.js';
import type { CallbackV1 } from '../protocol/callback-schema.js';
import type { Logger } from '../shared/logger.js';
import type { FlushResult } from './agent.js';
import type { CallbackSpool } from './callback-spool.js';
import type { DeliveryTarget, DeliveryTargets } from './delivery-targets.js';

/** Most bytes of callbacks in one batch, well inside the receivers' 8 MiB limit: 4 MiB. */
export const maxBatchBytes = 4 * 1024 * 1024;

// Refusals that no retry can fix for this callback: it is set aside, counted, and skipped.
const permanentRefusals = new Set(['invalid_callback', 'oversized', 'malformed']);

interface Waiting {
  name: string;
  callback: CallbackV1;
}

/**
 * Sends waiting callbacks newest first, the newest with up to four queued ones per request,
 * one request at a time, until the spool is empty or nobody takes more. Waiting for each
 * answer before the next request lets the receiver set the pace of a backlog. Each request
 * goes to the first target that takes it: a collector, or the hub when no collector answers.
 * An acknowledgement from either means the callback is durable.
 */
export async function deliverSpool(
  spool: CallbackSpool,
  targets: DeliveryTargets,
  log: Logger,
): Promise<FlushResult> {
  await spool.trim();
  targets.beginPass();
  let delivered = 0;
  for (;;) {
    const batch = await newestWaiting(spool);
    if (batch.length === 0) return { status: 'delivered', delivered };
    const outcome = await sendToFirstTaker(batch, targets);
    if (outcome.kind === 'nobody') return { status: 'pending', delivered, ...outcome.pending };

    for (const [i, ack] of outcome.acks.entries()) {
      const { name, callback } = batch[i]!;
      if (ack.status !== 'refused') {
        await spool.remove(name);
        delivered++;
        continue;
      }
      log.error(
        { code: ack.code, callbackId: callback.callbackId, message: ack.message },
        'callback refused for good; set aside',
      );
      await spool.setAside(name, 'refusedByHub');
    }
    if (batch.length > 1) log.debug({ count: batch.length, delivered }, 'backlog batch sent');
  }
}

/** The newest waiting callback and up to four more, newest first, within the byte limit. */
async function newestWaiting(spool: CallbackSpool): Promise<Waiting[]> {
  const batch: Waiting[] = [];
  let bytes = 0;
  for await (const name of spool.newestFirst()) {
    if (batch.length === maxCallbacksPerBatch) break;
    const callback = await spool.read(name);
    if (!callback) continue; // set aside as damaged, and counted, by the spool
    bytes += Buffer.byteLength(JSON.stringify(callback));
    if (batch.length > 0 && bytes > maxBatchBytes) break;
    batch.push({ name, callback });
  }
  return batch;
}

type SendOutcome =
  | { kind: 'answered'; acks: CallbackAck[] }
  | { kind: 'nobody'; pending: { reason: string; retryAfterMillis: number } };

type TargetAnswer = SendOutcome | { kind: 'unavailable'; reason: string; retryAfterMillis: number };

/**
 * Tries the targets in order until one answers for every callback of the batch. A target
 * that cannot take it now is skipped for the rest of the pass; when all failed, the longest
 * Retry-After any of them asked for is what the agent waits.
 */
async function sendToFirstTaker(batch: Waiting[], targets: DeliveryTargets): Promise<SendOutcome> {
  let reason = 'no target';
  let retryAfterMillis = 0; // nobody said when: the agent's own back-off decides
  for (const target of targets.ordered()) {
    let answer: TargetAnswer;
    try {
      answer = await sendTo(target, batch);
    } catch (error) {
      answer = { kind: 'unavailable', reason: (error as Error).message, retryAfterMillis: 0 };
    }
    if (answer.kind === 'answered') {
      targets.answered(target);
      return answer;
    }
    targets.failed(target);
    if (answer.kind === 'unavailable') {
      reason = `${target.kind} ${target.id}: ${answer.reason}`;
      retryAfterMillis = Math.max(retryAfterMillis, answer.retryAfterMillis);
    }
  }
  return { kind: 'nobody', pending: { reason, retryAfterMillis } };
}

/** One request to one target: the batch, or a single callback when it is alone. */
async function sendTo(target: DeliveryTarget, batch: Waiting[]): Promise<TargetAnswer> {
  const callbacks = batch.map((item) => item.callback);
  const single = callbacks.length === 1;
  const result = single
    ? await target.client.request('/api/v1/callbacks', callbacks[0])
    : await target.client.request(callbackBatchPath, {
        schema: 'strata.callback-batch.v1',
        callbacks,
      });
  if (result.kind === 'reply') return { kind: 'answered', acks: acksOf(result.body, callbacks) };

  // A receiver from before batches, or one refusing the batch as a whole: the newest goes
  // alone, so a refusal for good lands on one callback and the backlog still moves.
  if (!single && (result.status === 404 || permanentRefusals.has(result.code))) {
    return sendTo(target, batch.slice(0, 1));
  }
  if (permanentRefusals.has(result.code)) {
    const { code, message } = result;
    return {
      kind: 'answered',
      acks: [{ callbackId: callbacks[0]!.callbackId, status: 'refused', code, message }],
    };
  }
  return {
    kind: 'unavailable',
    reason: `${result.code}: ${result.message}`,
    retryAfterMillis: (result.retryAfterSeconds ?? 0) * 1000,
  };
}

/** The receiver's answer for each callback sent, checked to be about those callbacks. */
function acksOf(body: unknown, callbacks: CallbackV1[]): CallbackAck[] {
  const acks =
    callbacks.length === 1 && !(body as Partial<CallbackBatchReply>)?.results
      ? [{ status: 'stored', ...(body as object) } as CallbackAck]
      : ((body as Partial<CallbackBatchReply>)?.results ?? []);
  const matches =
    acks.length === callbacks.length &&
    acks.every(
      (ack, i) =>
        ack.callbackId === callbacks[i]!.callbackId ||
        (ack.status === 'refused' && ack.callbackId === null),
    );
  // A receiver answering for other callbacks is a fault, not a reason to drop ours.
  if (!matches) throw new Error('the receiver acknowledged other callbacks than those sent');
  return acks;
}
