import type { CallbackAck } from '../protocol/callback-batch.js';
import { claimedCallbackId } from '../protocol/callback-batch.js';
import type { CallbackV1 } from '../protocol/callback-schema.js';
import { checkParsedCallback } from '../intake/decode-callback.js';
import { storeCallbacks } from '../intake/store-callbacks.js';
import type { Store } from '../store/store.js';

export type IntakeOutcome = { status: 'stored' | 'duplicate'; machineId: string };

/** What the agent is told when the store refuses a value the schema let through. */
export const outsideStoreMessage = 'a value is outside what the store holds';

/**
 * Stores one callback from an agent, all of it or nothing, in one transaction. The agent's
 * callback id makes a second delivery a no-op, so an agent may resend anything it has not
 * seen acknowledged. A batch of one through the same path the collectors' drainers use.
 */
export async function storeCallback(
  store: Store,
  agentId: string,
  callback: CallbackV1,
): Promise<IntakeOutcome> {
  const outcome = await storeCallbacks(store, [{ agentId, callback }]);
  const { status, machineId } = outcome.callbacks[0]!;
  return { status, machineId };
}

/**
 * Stores the callbacks of one batch from an agent and answers for each, in the order sent:
 * stored, duplicate (stored before), or refused for good. The valid ones go in one
 * transaction; if the store refuses a value in it, each is stored alone so only the callback
 * holding that value is refused.
 */
export async function storeCallbackBatch(
  store: Store,
  agentId: string,
  items: readonly unknown[],
): Promise<CallbackAck[]> {
  const acks: CallbackAck[] = [];
  const valid: Array<{ index: number; callback: CallbackV1 }> = [];
  items.forEach((item, index) => {
    const checked = checkParsedCallback(item, Buffer.from(JSON.stringify(item)));
    if (checked.ok) valid.push({ index, callback: checked.callback });
    else acks[index] = refused(claimedCallbackId(item), checked.problem);
  });

  try {
    const outcome = await storeCallbacks(
      store,
      valid.map(({ callback }) => ({ agentId, callback })),
    );
    outcome.callbacks.forEach(({ callbackId, status }, i) => {
      acks[valid[i]!.index] = { callbackId, status };
    });
  } catch (error) {
    if (!isDataException(error)) throw error;
    for (const { index, callback } of valid) {
      acks[index] = await storeCallback(store, agentId, callback).then(
        ({ status }) => ({ callbackId: callback.callbackId, status }),
        (failure: unknown) => {
          if (isDataException(failure)) return refused(callback.callbackId, outsideStoreMessage);
          throw failure;
        },
      );
    }
  }
  return acks;
}

function refused(callbackId: string | null, message: string): CallbackAck {
  return { callbackId, status: 'refused', code: 'invalid_callback', message };
}

/**
 * True for PostgreSQL's data exceptions (SQLSTATE class 22): a value its column cannot hold,
 * such as a number out of range, year 0 or a NUL in text. Both stores report these codes.
 */
export function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
}
