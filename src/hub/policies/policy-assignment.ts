import type { Queryable } from '../../store/store.js';
import { recordChange } from '../change-log.js';
import type { HubContext } from '../hub-context.js';
import { groupOf, type ComponentFacts } from './component-groups.js';
import { defaultPolicy, getPolicy, type PolicyKind, type PolicyRow } from './policy-store.js';

/** The policy as a certificate carries it: the settings, and which policy and version. */
export type CertificatePolicy = Record<string, unknown> & {
  policyId: string;
  policyVersion: number;
  policyName: string;
};

/** The policy a component should run: its group's, else the default of its kind. */
export async function resolvePolicy(db: Queryable, facts: ComponentFacts): Promise<PolicyRow> {
  const group = await groupOf(db, facts);
  const policy = group ? await getPolicy(db, group.policy_id) : null;
  const chosen = policy ?? (await defaultPolicy(db, facts.kind));
  if (!chosen) throw new Error(`no default ${facts.kind} policy: the hub makes one at start`);
  return chosen;
}

export function certificatePolicy(policy: PolicyRow): CertificatePolicy {
  return {
    ...policy.settings,
    policyId: policy.id,
    policyVersion: policy.version,
    policyName: policy.name,
  };
}

/** What the rules know of a component: its name, and its machine's system and addresses. */
export async function componentFacts(db: Queryable, componentId: string) {
  const [row] = await db.query<{
    kind: PolicyKind;
    name: string;
    public_key_pem: string;
    os: string | null;
    interfaces: Array<{ ipv4?: string[]; ipv6?: string[] }> | null;
  }>(
    `SELECT c.kind, c.name, c.public_key_pem, m.os, m.latest_sample -> 'interfaces' AS interfaces
     FROM components c LEFT JOIN machines m ON m.agent_id = c.id WHERE c.id = $1`,
    [componentId],
  );
  if (!row) return null;
  const addresses = (Array.isArray(row.interfaces) ? row.interfaces : []).flatMap((nic) => [
    ...(nic.ipv4 ?? []),
    ...(nic.ipv6 ?? []),
  ]);
  const facts: ComponentFacts = {
    id: componentId,
    kind: row.kind,
    name: row.name,
    os: row.os ?? '',
    addresses,
  };
  return { facts, publicKeyPem: row.public_key_pem };
}

export type PolicyCheck =
  | { status: 'current'; policyId: string; policyVersion: number }
  | { status: 'renewed'; certificatePem: string; policy: CertificatePolicy };

/**
 * Answers a component that says which policy version its certificate holds: `current`, or a
 * new certificate (same key, a fresh validity period) with the policy it should run now.
 */
export async function checkComponentPolicy(
  hub: HubContext,
  componentId: string,
  held: { policyId?: unknown; policyVersion?: unknown },
): Promise<PolicyCheck> {
  const known = await componentFacts(hub.store, componentId);
  if (!known) throw new Error(`component ${componentId} is not in the store`);
  const policy = await resolvePolicy(hub.store, known.facts);
  if (held.policyId === policy.id && held.policyVersion === policy.version)
    return { status: 'current', policyId: policy.id, policyVersion: policy.version };

  const carried = certificatePolicy(policy);
  const certificate = await hub.identity.ca.issue({
    subjectId: componentId,
    kind: known.facts.kind,
    publicKeyPem: known.publicKeyPem,
    policy: carried,
    now: new Date(hub.nowMillis()),
  });
  await hub.store.transaction(async (tx) => {
    await tx.query(
      `UPDATE components SET certificate_pem = $2, certificate_serial = $3,
         certificate_not_after = $4, policy_id = $5, policy_version = $6 WHERE id = $1`,
      [
        componentId,
        certificate.pem,
        certificate.serial,
        certificate.notAfter,
        policy.id,
        policy.version,
      ],
    );
    await recordChange(tx, {
      actor: 'system',
      action: 'component.policy',
      subject: componentId,
      detail: { policyId: policy.id, policyVersion: policy.version, serial: certificate.serial },
    });
  });
  return { status: 'renewed', certificatePem: certificate.pem, policy: carried };
}
