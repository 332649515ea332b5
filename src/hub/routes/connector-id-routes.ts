import type { FastifyInstance } from 'fastify';
import { deriveMachineKey } from '../../protocol/connector-id/machine-keys.js';
import { checkFingerprint } from '../../protocol/connector-id/machine-fingerprint.js';
import { MessageRejected } from '../../protocol/rejection.js';
import { HttpError } from '../../shared/errors.js';
import {
  changeConnectorSettings,
  componentConnectorPolicy,
  currentKeyId,
  readConnectorSettings,
  siteSecrets,
  type ConnectorSettings,
} from '../connector-id/connector-settings.js';
import { claimMachineNumber } from '../connector-id/machine-numbers.js';
import {
  listMachineNumbers,
  listUserNumbers,
  reclaimNumber,
  revokedMachineNumbers,
  setMachineNumberRevoked,
} from '../connector-id/number-admin.js';
import { maxConnectorNumber } from '../connector-id/random-number.js';
import {
  maxAccountChars,
  maxAccountsPerRequest,
  userNumbersFor,
} from '../connector-id/user-numbers.js';
import { requireRole } from '../hub-auth.js';
import type { HubContext } from '../hub-context.js';
import { sealedRoute } from './sealed-route.js';

/**
 * Connector ID: agents get their machine number, key and user numbers; collectors get the
 * site secrets and revocations; people list numbers, reclaim and revoke them, and set policy.
 */
export async function connectorIdRoutes(app: FastifyInstance, hub: HubContext) {
  const sealed = sealedRoute(app, hub);

  sealed<{ fingerprint?: unknown }>(
    '/api/v1/agent/connector-id/machine',
    'agent',
    async (body, session) => {
      const fingerprint = checkFingerprint(body.fingerprint);
      if (typeof fingerprint === 'string') throw new MessageRejected('malformed', fingerprint);
      const claim = await claimMachineNumber(hub.store, session.senderId, fingerprint);
      const secrets = await siteSecrets(hub.store);
      const keyId = currentKeyId(secrets);
      const settings = await readConnectorSettings(hub.store);
      const policy = await componentConnectorPolicy(hub.store, session.senderId);
      if (claim.issued) hub.log.info({ machineNumber: claim.number }, 'machine number issued');
      return {
        machineNumber: claim.number,
        keyId,
        machineKey: deriveMachineKey(secrets.get(keyId)!, keyId, claim.number).toString('base64'),
        tagging: policy.tagging ?? settings.tagging,
        sourceUnbound: settings.sourceUnbound,
      };
    },
  );

  sealed<{ accounts?: unknown }>('/api/v1/agent/connector-id/users', 'agent', async (body) => {
    const accounts = body.accounts;
    const valid =
      Array.isArray(accounts) &&
      accounts.length <= maxAccountsPerRequest &&
      accounts.every((a) => typeof a === 'string' && a.length > 0 && a.length <= maxAccountChars);
    if (!valid) throw new MessageRejected('malformed', 'accounts must be a list of account names');
    const numbers = await userNumbersFor(hub.store, accounts as string[]);
    return { users: [...numbers].map(([account, number]) => ({ account, number })) };
  });

  sealed('/api/v1/collector/connector-id/keys', 'collector', async (_body, session) => {
    const secrets = await siteSecrets(hub.store);
    const settings = await readConnectorSettings(hub.store);
    const policy = await componentConnectorPolicy(hub.store, session.senderId);
    return {
      secrets: [...secrets].map(([keyId, secret]) => ({
        keyId,
        secret: secret.toString('base64'),
      })),
      revokedMachines: await revokedMachineNumbers(hub.store),
      replayProtection: policy.replayProtection ?? settings.replayProtection,
    };
  });

  const viewer = { preValidation: requireRole(hub, 'viewer') };
  const administrator = { preValidation: requireRole(hub, 'administrator') };
  app.get('/api/v1/connector-id/users', viewer, async () => ({
    users: await listUserNumbers(hub.store),
  }));
  app.get('/api/v1/connector-id/machines', viewer, async () => ({
    machines: await listMachineNumbers(hub.store),
  }));
  app.get('/api/v1/connector-id/settings', viewer, () => readConnectorSettings(hub.store));

  const settingsBody = {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: {
      tagging: { type: 'boolean' },
      replayProtection: { type: 'boolean' },
      sourceUnbound: { type: 'boolean' },
    },
  } as const;
  app.put(
    '/api/v1/connector-id/settings',
    { ...administrator, schema: { body: settingsBody } },
    async (request) => {
      const change = request.body as Partial<ConnectorSettings>;
      return changeConnectorSettings(hub.store, change, request.caller!.actor);
    },
  );

  for (const kind of ['user', 'machine'] as const) {
    app.post(`/api/v1/connector-id/${kind}s/:number/reclaim`, administrator, async (request) => {
      const number = numberParam(request.params);
      if (!(await reclaimNumber(hub.store, kind, number, request.caller!.actor)))
        throw new HttpError(404, 'number_not_found', `no ${kind} number ${number} is issued`);
      return { number, status: 'reclaimed' };
    });
  }
  for (const [action, revoked] of [
    ['revoke', true],
    ['restore', false],
  ] as const) {
    app.post(`/api/v1/connector-id/machines/:number/${action}`, administrator, async (request) => {
      const number = numberParam(request.params);
      if (!(await setMachineNumberRevoked(hub.store, number, revoked, request.caller!.actor)))
        throw new HttpError(404, 'number_not_found', `no machine number ${number} is issued`);
      return { number, status: revoked ? 'revoked' : 'active' };
    });
  }
}

function numberParam(params: unknown): number {
  const text = (params as { number: string }).number;
  const number = Number(text);
  if (!/^\d{1,8}$/.test(text) || number < 1 || number > maxConnectorNumber)
    throw new HttpError(400, 'invalid_request', 'the number must be 1 to 16,777,215');
  return number;
}
