import type { Store } from '../store/store.js';
import { createActivationToken, type ActivationTokenRequest } from './activation-tokens.js';
import { listChangeLog, verifyChangeLog, type ChangeLogFilter } from './change-log-audit.js';
import { createApiToken, type ApiTokenRequest } from './credentials.js';
import { hubStatus } from './hub-status.js';
import { resetPassword } from './people.js';

/**
 * What `strata admin` can do at a shell on the hub, over the store directly or through a
 * running hub's control socket. Every operation is recorded in the change log as 'console'.
 */
export function consoleOperations(store: Store, caPin: string) {
  return {
    'activation-token': (args: Omit<ActivationTokenRequest, 'actor'>) =>
      createActivationToken(store, caPin, { ...args, actor: 'console' }),
    'api-token': (args: Omit<ApiTokenRequest, 'actor'>) =>
      createApiToken(store, { ...args, actor: 'console' }),
    'password-reset': async (args: { name: string }) => {
      const password = await resetPassword(store, args.name);
      if (!password) throw new Error(`no person named ${args.name}`);
      return { name: args.name, password };
    },
    status: () => hubStatus(store),
    'change-log-list': (args: Omit<ChangeLogFilter, 'from' | 'to'>) => listChangeLog(store, args),
    'change-log-verify': () => verifyChangeLog(store),
  };
}

export type ConsoleOperations = ReturnType<typeof consoleOperations>;
