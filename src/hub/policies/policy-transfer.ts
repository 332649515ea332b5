import { isDeepStrictEqual } from 'node:util';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { certificatePin } from '../../protocol/certificate-authority.js';
import { signForSite, verifySiteSignature } from '../../protocol/site-signature.js';
import type { Store } from '../../store/store.js';
import { recordChange } from '../change-log.js';
import { listGroups, ruleProblem, saveGroup, type GroupRule } from './component-groups.js';
import { policySettingsSchema, type PolicySettings } from './policy-settings.js';
import {
  createPolicy,
  defaultPolicy,
  updatePolicy,
  type PolicyKind,
  type PolicyRow,
} from './policy-store.js';

/** What a policy export signature is for; see site-signature.ts. */
const signingPurpose = 'policy export v1';
const fileFormat = 'strata.policies.v1';

/** A policy export as a file: the content exactly as signed, the signature, and the signer. */
export interface SignedPolicies {
  format: typeof fileFormat;
  content: string;
  signature: string;
  signerCertificatePem: string;
}

interface ExportedContent {
  exportedAt: string;
  policies: Array<{ name: string; kind: PolicyKind; isDefault: boolean; settings: PolicySettings }>;
  groups: Array<{
    name: string;
    kind: PolicyKind;
    policyName: string;
    priority: number;
    rule: GroupRule;
    members: string[];
  }>;
}

/** Every policy and group, signed with the site CA key, as a file another hub can check. */
export async function exportPolicies(
  store: Store,
  ca: { certificatePem: string; privateKeyPem: string },
): Promise<SignedPolicies> {
  const policies = await store.query<PolicyRow>('SELECT * FROM policies ORDER BY kind, name');
  const names = new Map(policies.map((policy) => [policy.id, policy.name]));
  const content: ExportedContent = {
    exportedAt: new Date().toISOString(),
    policies: policies.map((policy) => ({
      name: policy.name,
      kind: policy.kind,
      isDefault: policy.is_default,
      settings: policy.settings,
    })),
    groups: (await listGroups(store)).map((group) => ({
      name: group.name,
      kind: group.kind,
      policyName: names.get(group.policyId)!,
      priority: group.priority,
      rule: group.rule,
      members: group.members,
    })),
  };
  const text = JSON.stringify(content);
  return {
    format: fileFormat,
    content: text,
    signature: signForSite(signingPurpose, text, ca.privateKeyPem),
    signerCertificatePem: ca.certificatePem,
  };
}

export type ImportOutcome =
  | {
      status: 'imported';
      signer: string;
      policies: { created: number; changed: number; unchanged: number };
      groups: { created: number; changed: number; unchanged: number };
    }
  | { status: 'refused'; reason: string };

/**
 * Brings policies and groups from an export into this site. The file must be signed by this
 * site's CA, or by a CA whose pin the administrator names in `acceptSigner`. Policies are
 * matched by name (a default policy by kind): new ones are made, changed ones get a new
 * version. Groups are matched by name; members this site does not know are left out.
 */
export async function importPolicies(
  store: Store,
  file: unknown,
  site: { caCertificatePem: string },
  options: { actor: string; acceptSigner?: string },
): Promise<ImportOutcome> {
  const opened = openExport(file, site.caCertificatePem, options.acceptSigner);
  if ('reason' in opened) return { status: 'refused', reason: opened.reason };
  const { content, signer } = opened;
  // Everything is checked before anything is written, so a refused file changes nothing.
  const named = new Set(content.policies.map((policy) => policy.name));
  for (const group of content.groups) {
    const problem = named.has(group.policyName)
      ? ruleProblem(group.rule)
      : `its policy "${group.policyName}" is not in the file`;
    if (problem) return { status: 'refused', reason: `group "${group.name}": ${problem}` };
  }

  const matches: Array<PolicyRow | undefined> = [];
  for (const policy of content.policies) {
    const existing = policy.isDefault
      ? ((await defaultPolicy(store, policy.kind)) ?? undefined)
      : (await store.query<PolicyRow>('SELECT * FROM policies WHERE name = $1', [policy.name]))[0];
    if (existing && existing.kind !== policy.kind)
      return { status: 'refused', reason: `"${policy.name}" is a ${existing.kind} policy here` };
    matches.push(existing);
  }

  const policies = { created: 0, changed: 0, unchanged: 0 };
  const ids = new Map<string, string>();
  for (const [index, policy] of content.policies.entries()) {
    const existing = matches[index];
    if (!existing) {
      const created = await createPolicy(store, policy, options.actor);
      ids.set(policy.name, created.id);
      policies.created++;
      continue;
    }
    ids.set(policy.name, existing.id);
    if (isDeepStrictEqual(existing.settings, policy.settings)) {
      policies.unchanged++;
      continue;
    }
    await updatePolicy(store, existing.id, policy.settings, options.actor);
    policies.changed++;
  }

  const groups = { created: 0, changed: 0, unchanged: 0 };
  const known = new Map((await listGroups(store)).map((group) => [group.name, group]));
  for (const group of content.groups) {
    const policyId = ids.get(group.policyName)!;
    const existing = known.get(group.name);
    const wanted = { ...group, policyId };
    const { policyName: _name, ...comparable } = wanted;
    if (
      existing &&
      isDeepStrictEqual({ ...existing, id: undefined }, { ...comparable, id: undefined })
    ) {
      groups.unchanged++;
      continue;
    }
    await saveGroup(store, existing?.id ?? null, wanted, options.actor, { leaveOutUnknown: true });
    if (existing) groups.changed++;
    else groups.created++;
  }
  await recordChange(store, {
    actor: options.actor,
    action: 'policy.import',
    detail: { signer, exportedAt: content.exportedAt, policies, groups },
  });
  return { status: 'imported', signer, policies, groups };
}

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ strict: false });
addFormats(ajv);
const checkContent = ajv.compile<ExportedContent>({
  type: 'object',
  required: ['exportedAt', 'policies', 'groups'],
  properties: {
    exportedAt: { type: 'string' },
    policies: {
      type: 'array',
      maxItems: 10_000,
      items: {
        type: 'object',
        required: ['name', 'kind', 'isDefault', 'settings'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          kind: { enum: ['agent', 'collector'] },
          isDefault: { type: 'boolean' },
          settings: policySettingsSchema,
        },
      },
    },
    groups: {
      type: 'array',
      maxItems: 10_000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'kind', 'policyName', 'priority', 'rule', 'members'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          kind: { enum: ['agent', 'collector'] },
          policyName: { type: 'string' },
          priority: { type: 'integer', minimum: 0, maximum: 10_000 },
          rule: {
            type: 'object',
            additionalProperties: false,
            properties: {
              namePattern: { type: 'string', maxLength: 200 },
              os: { type: 'string', maxLength: 200 },
              subnet: { type: 'string', maxLength: 50 },
            },
          },
          members: { type: 'array', items: { type: 'string', format: 'uuid' } },
        },
      },
    },
  },
});

function openExport(
  file: unknown,
  caCertificatePem: string,
  acceptSigner: string | undefined,
): { content: ExportedContent; signer: string } | { reason: string } {
  const candidate = file as Partial<SignedPolicies> | null;
  if (
    candidate?.format !== fileFormat ||
    typeof candidate.content !== 'string' ||
    typeof candidate.signature !== 'string' ||
    typeof candidate.signerCertificatePem !== 'string'
  )
    return { reason: `not a ${fileFormat} file` };
  let signer: string;
  try {
    signer = certificatePin(candidate.signerCertificatePem);
  } catch {
    return { reason: 'the signer certificate does not read' };
  }
  const ownSite = signer === certificatePin(caCertificatePem);
  if (!ownSite && signer !== acceptSigner)
    return {
      reason:
        `signed by another site (CA pin ${signer}); to import it, name that pin as the signer ` +
        'you accept',
    };
  const signerPem = ownSite ? caCertificatePem : candidate.signerCertificatePem;
  if (!verifySiteSignature(signingPurpose, candidate.content, candidate.signature, signerPem))
    return { reason: 'the signature does not match the content: the file was altered' };
  let content: unknown;
  try {
    content = JSON.parse(candidate.content);
  } catch {
    return { reason: 'the signed content is not JSON' };
  }
  if (!checkContent(content)) {
    const error = checkContent.errors?.[0];
    return { reason: `the content is not valid: ${error?.instancePath} ${error?.message}` };
  }
  return { content, signer };
}
