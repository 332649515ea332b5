import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../shared/errors.js';
import { requireRole } from '../hub-auth.js';
import type { HubContext } from '../hub-context.js';
import {
  deleteGroup,
  GroupInvalid,
  listGroups,
  saveGroup,
  type GroupRequest,
} from '../policies/component-groups.js';
import { checkComponentPolicy } from '../policies/policy-assignment.js';
import {
  policySettingsSchema,
  settingsNotForKind,
  unknownCollectors,
  type PolicySettings,
} from '../policies/policy-settings.js';
import {
  createPolicy,
  getPolicy,
  listPolicies,
  PolicyConflict,
  policyView,
  updatePolicy,
  type PolicyKind,
} from '../policies/policy-store.js';
import { exportPolicies, importPolicies } from '../policies/policy-transfer.js';
import { sealedRoute } from './sealed-route.js';

/** Largest policy file an import takes: 16 MiB. */
const maxImportBytes = 16 * 1024 * 1024;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

const policyBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kind', 'settings'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    kind: { enum: ['agent', 'collector'] },
    settings: policySettingsSchema,
  },
} as const;

const groupBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kind', 'policyId'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    kind: { enum: ['agent', 'collector'] },
    policyId: { type: 'string', format: 'uuid' },
    priority: { type: 'integer', minimum: 0, maximum: 10_000 },
    rule: {
      type: 'object',
      additionalProperties: false,
      properties: {
        namePattern: { type: 'string', minLength: 1, maxLength: 200 },
        os: { type: 'string', minLength: 1, maxLength: 200 },
        subnet: { type: 'string', minLength: 3, maxLength: 50 },
      },
    },
    members: { type: 'array', maxItems: 10_000, items: { type: 'string', format: 'uuid' } },
  },
} as const;

/** Policies and groups for people; the policy check for agents and collectors. */
export async function policyRoutes(app: FastifyInstance, hub: HubContext) {
  const viewer = { preValidation: requireRole(hub, 'viewer') };
  const admin = { preValidation: requireRole(hub, 'administrator') };
  const refusal = (error: unknown): never => {
    if (error instanceof PolicyConflict) throw new HttpError(409, error.code, error.message);
    if (error instanceof GroupInvalid) throw new HttpError(400, error.code, error.message);
    throw error;
  };
  // A collector list naming a collector the hub does not know would send agents nowhere.
  const checkCollectors = async (settings: PolicySettings) => {
    const unknown = await unknownCollectors(hub.store, settings);
    if (unknown.length > 0) {
      throw new HttpError(
        400,
        'unknown_collector',
        `settings.collectors: no active collector has the id ${unknown.join(', ')}`,
      );
    }
  };

  app.get('/api/v1/policies', viewer, async () => ({ policies: await listPolicies(hub.store) }));

  app.get('/api/v1/policies/:id', { ...viewer, schema: { params: idParams } }, async (request) => {
    const { id } = request.params as { id: string };
    const policy = await getPolicy(hub.store, id);
    if (!policy) throw new HttpError(404, 'policy_not_found', `no policy with id ${id}`);
    const versions = await hub.store.query<{ version: number; created_at: Date; actor: string }>(
      `SELECT version, created_at, actor FROM policy_versions WHERE policy_id = $1
       ORDER BY version DESC`,
      [id],
    );
    return { ...policyView(policy), versions };
  });

  app.post('/api/v1/policies', { ...admin, schema: { body: policyBody } }, async (request) => {
    const body = request.body as { name: string; kind: PolicyKind; settings: PolicySettings };
    checkKind(body.kind, body.settings);
    await checkCollectors(body.settings);
    const created = await createPolicy(hub.store, body, request.caller!.actor).catch(refusal);
    return policyView(created);
  });

  app.put(
    '/api/v1/policies/:id',
    {
      ...admin,
      schema: {
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['settings'],
          properties: { settings: policySettingsSchema },
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const { settings } = request.body as { settings: PolicySettings };
      const current = await getPolicy(hub.store, id);
      if (!current) throw new HttpError(404, 'policy_not_found', `no policy with id ${id}`);
      checkKind(current.kind, settings);
      await checkCollectors(settings);
      const updated = await updatePolicy(hub.store, id, settings, request.caller!.actor);
      if (!updated) throw new HttpError(404, 'policy_not_found', `no policy with id ${id}`);
      return policyView(updated);
    },
  );

  app.get('/api/v1/policies/export', admin, async () =>
    exportPolicies(hub.store, {
      certificatePem: hub.identity.ca.certificatePem,
      privateKeyPem: hub.identity.caKeys.privateKeyPem,
    }),
  );

  app.post(
    '/api/v1/policies/import',
    {
      ...admin,
      bodyLimit: maxImportBytes,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { acceptSigner: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' } },
        },
      },
    },
    async (request) => {
      const { acceptSigner } = request.query as { acceptSigner?: string };
      const outcome = await importPolicies(
        hub.store,
        request.body,
        { caCertificatePem: hub.identity.ca.certificatePem },
        { actor: request.caller!.actor, acceptSigner },
      );
      if (outcome.status === 'refused') throw new HttpError(400, 'import_refused', outcome.reason);
      return outcome;
    },
  );

  app.get('/api/v1/groups', viewer, async () => ({ groups: await listGroups(hub.store) }));

  app.post('/api/v1/groups', { ...admin, schema: { body: groupBody } }, async (request) => {
    const body = request.body as GroupRequest;
    const id = await saveGroup(hub.store, null, body, request.caller!.actor).catch(refusal);
    return { id };
  });

  app.put(
    '/api/v1/groups/:id',
    { ...admin, schema: { params: idParams, body: groupBody } },
    async (request) => {
      const { id } = request.params as { id: string };
      const exists = (await listGroups(hub.store)).some((group) => group.id === id);
      if (!exists) throw new HttpError(404, 'group_not_found', `no group with id ${id}`);
      await saveGroup(hub.store, id, request.body as GroupRequest, request.caller!.actor).catch(
        refusal,
      );
      return { id };
    },
  );

  app.delete(
    '/api/v1/groups/:id',
    { ...admin, schema: { params: idParams } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!(await deleteGroup(hub.store, id, request.caller!.actor)))
        throw new HttpError(404, 'group_not_found', `no group with id ${id}`);
      return reply.code(204).send();
    },
  );

  // Agents and collectors, with every callback or report: which policy version should I run?
  sealedRoute(app, hub)<{ policyId?: unknown; policyVersion?: unknown }>(
    '/api/v1/component/policy',
    null,
    async (body, session) => checkComponentPolicy(hub, session.senderId, body),
  );
}

/** Refuses settings the policy's kind of component never acts on, naming them. */
function checkKind(kind: PolicyKind, settings: PolicySettings): void {
  const wrong = settingsNotForKind(kind, settings);
  if (wrong.length === 0) return;
  throw new HttpError(
    400,
    'invalid_request',
    `settings/${wrong.join(', settings/')}: not used by ${kind}s; set it in a policy for ` +
      `${kind === 'agent' ? 'collectors' : 'agents'}`,
  );
}
