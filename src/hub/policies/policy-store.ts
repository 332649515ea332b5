import { isDeepStrictEqual } from 'node:util';
import { randomUUID } from 'node:crypto';
import type { Queryable, Store } from '../../store/store.js';
import { recordChange } from '../change-log.js';
import type { PolicySettings } from './policy-settings.js';

export type PolicyKind = 'agent' | 'collector';

export interface PolicyRow {
  id: string;
  name: string;
  kind: PolicyKind;
  version: number;
  settings: PolicySettings;
  is_default: boolean;
  updated_at: Date;
}

const defaultNames: Record<PolicyKind, string> = {
  agent: 'Default agent policy',
  collector: 'Default collector policy',
};

/**
 * Makes the default policy of each kind on first start, the agents' one from `agentDefaults`.
 * Settings the hub was started with explicitly (`--callback-interval`, `--agent-auto-update`)
 * that differ from the stored ones become the default agent policy's next version.
 */
export async function ensureDefaultPolicies(
  store: Store,
  agentDefaults: PolicySettings,
  explicit: PolicySettings,
): Promise<void> {
  for (const kind of ['agent', 'collector'] as const) {
    const existing = await defaultPolicy(store, kind);
    if (!existing) {
      const settings = kind === 'agent' ? agentDefaults : {};
      const request = { name: defaultNames[kind], kind, settings };
      // Another hub starting on the same store may have made it a moment ago.
      await createPolicy(store, request, 'system', true).catch((error: unknown) => {
        if (!(error instanceof PolicyConflict)) throw error;
      });
      continue;
    }
    const differs = Object.entries(explicit).some(
      ([key, value]) => existing.settings[key] !== value,
    );
    if (kind === 'agent' && differs)
      await updatePolicy(store, existing.id, { ...existing.settings, ...explicit }, 'system');
  }
}

export async function defaultPolicy(db: Queryable, kind: PolicyKind): Promise<PolicyRow | null> {
  const rows = await db.query<PolicyRow>('SELECT * FROM policies WHERE kind = $1 AND is_default', [
    kind,
  ]);
  return rows[0] ?? null;
}

export async function getPolicy(db: Queryable, id: string): Promise<PolicyRow | null> {
  const rows = await db.query<PolicyRow>('SELECT * FROM policies WHERE id = $1', [id]);
  return rows[0] ?? null;
}

/** Policies with, per version, how many components run it. */
export async function listPolicies(db: Queryable) {
  const policies = await db.query<PolicyRow>('SELECT * FROM policies ORDER BY kind, name');
  const counts = await db.query<{ policy_id: string; policy_version: number; n: number }>(
    `SELECT policy_id, policy_version, count(*)::int AS n FROM components
     WHERE status = 'active' AND policy_id IS NOT NULL GROUP BY policy_id, policy_version`,
  );
  return policies.map((policy) => ({
    ...policyView(policy),
    components: counts
      .filter((row) => row.policy_id === policy.id)
      .map((row) => ({ version: row.policy_version, count: row.n }))
      .sort((a, b) => b.version - a.version),
  }));
}

export function policyView(row: PolicyRow) {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    version: row.version,
    isDefault: row.is_default,
    settings: row.settings,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export async function createPolicy(
  store: Store,
  request: { name: string; kind: PolicyKind; settings: PolicySettings },
  actor: string,
  isDefault = false,
): Promise<PolicyRow> {
  return store.transaction(async (tx) => {
    const id = randomUUID();
    const [row] = await tx.query<PolicyRow>(
      `INSERT INTO policies (id, name, kind, settings, is_default) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (name) DO NOTHING RETURNING *`,
      [id, request.name, request.kind, JSON.stringify(request.settings), isDefault],
    );
    if (!row) throw new PolicyConflict(`a policy named "${request.name}" exists already`);
    await tx.query(
      'INSERT INTO policy_versions (policy_id, version, settings, actor) VALUES ($1, 1, $2, $3)',
      [id, JSON.stringify(request.settings), actor],
    );
    await recordChange(tx, {
      actor,
      action: 'policy.create',
      subject: id,
      detail: { name: request.name, kind: request.kind, after: request.settings },
    });
    return row;
  });
}

/** Replaces a policy's settings as its next version; the change log keeps before and after. */
export async function updatePolicy(
  store: Store,
  id: string,
  settings: PolicySettings,
  actor: string,
): Promise<PolicyRow | null> {
  return store.transaction(async (tx) => {
    const [before] = await tx.query<PolicyRow>('SELECT * FROM policies WHERE id = $1 FOR UPDATE', [
      id,
    ]);
    if (!before) return null;
    // The same settings again make no new version: components have nothing to follow.
    if (isDeepStrictEqual(before.settings, settings)) return before;
    const [after] = await tx.query<PolicyRow>(
      `UPDATE policies SET settings = $2, version = version + 1, updated_at = now()
       WHERE id = $1 RETURNING *`,
      [id, JSON.stringify(settings)],
    );
    await tx.query(
      'INSERT INTO policy_versions (policy_id, version, settings, actor) VALUES ($1, $2, $3, $4)',
      [id, after!.version, JSON.stringify(settings), actor],
    );
    await recordChange(tx, {
      actor,
      action: 'policy.update',
      subject: id,
      detail: {
        name: before.name,
        version: after!.version,
        before: before.settings,
        after: settings,
      },
    });
    return after!;
  });
}

/** A name taken already; the API answers 409. */
export class PolicyConflict extends Error {
  readonly code = 'policy_conflict';
}
