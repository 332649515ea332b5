import type { CallbackV1 } from '../protocol/callback-schema.js';
import type { Logger } from '../shared/logger.js';
import type { FlushResult } from './agent.js';
import type { CallbackSpool } from './callback-spool.js';
import type { DeliveryTargets } from './delivery-targets.js';

// Refusals that no retry can fix for this callback: it is set aside, counted, and skipped.
const permanentRefusals = new Set(['invalid_callback', 'oversized', 'malformed']);

/**
 * Sends waiting callbacks oldest first until all are acknowledged or nobody can take more.
 * Each callback goes to the first target that takes it: a collector, or the hub when no
 * collector answers. An acknowledgement from either means the callback is durable.
 */
export async function deliverSpool(
  spool: CallbackSpool,
  targets: DeliveryTargets,
  log: Logger,
): Promise<FlushResult> {
  let delivered = 0;
  for (const name of await spool.names()) {
    const callback = await spool.read(name);
    if (!callback) continue;
    const outcome = await deliverOne(callback, targets);
    if (outcome.kind === 'acknowledged') {
      await spool.remove(name);
      delivered++;
      continue;
    }
    if (outcome.kind === 'refused_for_good') {
      log.error(
        { code: outcome.code, callbackId: callback.callbackId, message: outcome.message },
        'callback refused for good; set aside',
      );
      await spool.setAside(name, 'refused_by_hub');
      continue;
    }
    return {
      status: 'pending',
      delivered,
      reason: outcome.reason,
      retryAfterMillis: outcome.retryAfterMillis,
    };
  }
  return { status: 'delivered', delivered };
}

type DeliveryOutcome =
  | { kind: 'acknowledged' }
  | { kind: 'refused_for_good'; code: string; message: string }
  | { kind: 'nobody'; reason: string; retryAfterMillis: number };

/** Tries the targets in order; a refusal that another target may not give moves to the next. */
async function deliverOne(
  callback: CallbackV1,
  targets: DeliveryTargets,
): Promise<DeliveryOutcome> {
  let last: Extract<DeliveryOutcome, { kind: 'nobody' }> = {
    kind: 'nobody',
    reason: 'no target',
    retryAfterMillis: 0, // nobody said when: the agent's own back-off decides
  };
  for (const target of targets.ordered()) {
    let result;
    try {
      result = await target.client.request('/api/v1/callbacks', callback);
    } catch (error) {
      targets.failed(target);
      last = { ...last, reason: `${target.kind} unreachable: ${(error as Error).message}` };
      continue;
    }
    if (result.kind === 'reply') {
      const ack = result.body as { callbackId?: string };
      if (ack.callbackId !== callback.callbackId)
        throw new Error(`the ${target.kind} acknowledged another callback`);
      return { kind: 'acknowledged' };
    }
    if (permanentRefusals.has(result.code)) {
      return { kind: 'refused_for_good', code: result.code, message: result.message };
    }
    targets.failed(target);
    const retryAfterMillis = (result.retryAfterSeconds ?? 0) * 1000;
    last = { kind: 'nobody', reason: `${result.code}: ${result.message}`, retryAfterMillis };
  }
  return last;
}
