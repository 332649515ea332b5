import { ConfigError, HttpError } from '../shared/errors.js';
import type { Store } from '../store/store.js';
import {
  createActivationToken,
  listActivationTokens,
  revokeActivationToken,
  type ActivationTokenRequest,
} from './activation-tokens.js';
import { listChangeLog, verifyChangeLog, type ChangeLogFilter } from './change-log-audit.js';
import { listReleases, publishRelease, withdrawRelease } from './agent-releases.js';
import {
  createApiToken,
  listApiTokens,
  revokeApiToken,
  type ApiTokenRequest,
} from './credentials.js';
import { hubStatus } from './hub-status.js';
import {
  changeRetentionSettings,
  readRetentionSettings,
  type RetentionSettings,
} from './retention/retention-settings.js';
import { createPerson, maxPersonNameChars, resetPassword, type Role } from './people.js';
import { exportPolicies, importPolicies } from './policies/policy-transfer.js';
import { readSiteTimeZone, setSiteTimeZone } from './rollups/site-time-zone.js';
import { backupToFile } from './store-admin.js';
import type { TableProgress } from '../store/store-copy.js';

/**
 * What `strata admin` can do at a shell on the hub, over the store directly or through a
 * running hub's control socket. Every operation is recorded in the change log as 'console'.
 * `caPrivateKeyPem` signs agent releases; null where this shell has no copy of the CA key.
 */
export function consoleOperations(
  store: Store,
  caPin: string,
  caPrivateKeyPem: string | null,
  progress: TableProgress = () => undefined,
) {
  return {
    'activation-token': (args: Omit<ActivationTokenRequest, 'actor'>) =>
      createActivationToken(store, caPin, { ...args, actor: 'console' }),
    'api-token': (args: Omit<ApiTokenRequest, 'actor'>) =>
      createApiToken(store, { ...args, actor: 'console' }),
    'activation-token-list': () => listActivationTokens(store),
    'activation-token-revoke': async (args: { id: string }) => {
      if (!(await revokeActivationToken(store, args.id, 'console')))
        throw new ConfigError(`no open activation token ${args.id}`);
      return { id: args.id, revoked: true };
    },
    'api-token-list': () => listApiTokens(store),
    'api-token-revoke': async (args: { id: string }) => {
      const known = /^[0-9a-f-]{36}$/.test(args.id);
      if (!known || !(await revokeApiToken(store, args.id, 'console')))
        throw new ConfigError(`no API token ${args.id} in use`);
      return { id: args.id, status: 'revoked' };
    },
    'password-reset': async (args: { name: string }) => {
      const password = await resetPassword(store, args.name);
      if (!password) throw new Error(`no person named ${args.name}`);
      return { name: args.name, password };
    },
    status: () => hubStatus(store),
    'retention-show': () => readRetentionSettings(store),
    'retention-set': (args: Partial<RetentionSettings>) =>
      changeRetentionSettings(store, args, 'console').catch((error: unknown) => {
        // Refused settings are the person's to fix: say why, without a stack.
        throw error instanceof HttpError ? new ConfigError(error.message) : error;
      }),
    'time-zone-show': async () => ({ timeZone: await readSiteTimeZone(store) }),
    'time-zone-set': (args: { timeZone: string }) =>
      setSiteTimeZone(store, args.timeZone, 'console').catch((error: unknown) => {
        if (error instanceof HttpError) throw new ConfigError(error.message);
        throw error;
      }),
    'person-create': async (args: { name: string; role: Role }) => {
      // The same bounds as the API's: a name someone can type at the sign-in page.
      const name = args.name.trim();
      if (name.length === 0 || name.length > maxPersonNameChars || name !== args.name)
        throw new ConfigError(
          `a name has 1 to ${maxPersonNameChars} characters, without spaces around it`,
        );
      const created = await createPerson(store, { ...args, actor: 'console' });
      if (!created) throw new ConfigError(`someone is named ${args.name} already`);
      return created;
    },
    'change-log-list': (args: Omit<ChangeLogFilter, 'from' | 'to'>) => listChangeLog(store, args),
    'change-log-verify': () => verifyChangeLog(store),
    // The file is written by whoever holds the store: this shell, or a running hub.
    'store-backup': (args: { file: string }) => backupToFile(store, args.file, 'console', progress),
    'agent-release-publish': (args: { version: string; bundleBase64: string }) => {
      if (!caPrivateKeyPem) {
        throw new ConfigError(
          'publishing needs the site CA key (ca-key.pem of this site in the hub data folder): ' +
            'run this on a hub machine, or PUT the bundle to /api/v1/agent-releases/<version>',
        );
      }
      const bundle = Buffer.from(args.bundleBase64, 'base64');
      return publishRelease(store, { ...args, bundle, actor: 'console', caPrivateKeyPem });
    },
    'agent-release-list': () => listReleases(store),
    'agent-release-withdraw': async (args: { version: string }) => {
      if (!(await withdrawRelease(store, args.version, 'console')))
        throw new ConfigError(`no release ${args.version} is published`);
      return { version: args.version, status: 'withdrawn' };
    },
    'policy-export': async () => {
      if (!caPrivateKeyPem) {
        throw new ConfigError(
          'an export is signed with the site CA key (ca-key.pem in the hub data folder): ' +
            'run this on a hub machine, or GET /api/v1/policies/export',
        );
      }
      const certificatePem = await siteCertificate(store);
      return exportPolicies(store, { certificatePem, privateKeyPem: caPrivateKeyPem });
    },
    'policy-import': async (args: { file: unknown; acceptSigner?: string }) =>
      importPolicies(
        store,
        args.file,
        { caCertificatePem: await siteCertificate(store) },
        { actor: 'console', acceptSigner: args.acceptSigner },
      ),
  };
}

async function siteCertificate(store: Store): Promise<string> {
  const [row] = await store.query<{ value: { caCertificatePem: string } }>(
    "SELECT value FROM hub_settings WHERE key = 'site'",
  );
  return row!.value.caCertificatePem;
}

export type ConsoleOperations = ReturnType<typeof consoleOperations>;
