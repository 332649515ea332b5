import type { CallbackV1 } from '../protocol/callback-schema.js';
import { storeCallbacks } from '../intake/store-callbacks.js';
import type { Store } from '../store/store.js';

export type IntakeOutcome = { status: 'stored' | 'duplicate'; machineId: string };

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
