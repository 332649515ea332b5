import { randomUUID } from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { Queryable, Store } from '../../store/store.js';
import { recordChange } from '../change-log.js';
import { PolicyConflict, type PolicyKind } from './policy-store.js';

/** Which components a group takes by rule; every field given must match. */
export interface GroupRule {
  /** Component name, `*` and `?` as wildcards, any case: `desk-*`. */
  namePattern?: string;
  /** Part of the machine's operating system name, any case: `ubuntu`. */
  os?: string;
  /** An address block one of the machine's addresses falls in: `10.20.0.0/16`. */
  subnet?: string;
}

export interface GroupRow {
  id: string;
  name: string;
  kind: PolicyKind;
  policy_id: string;
  priority: number;
  rule: GroupRule;
}

export interface GroupRequest {
  name: string;
  kind: PolicyKind;
  policyId: string;
  priority?: number;
  rule?: GroupRule;
  members?: string[];
}

/** A component as the rules see it. */
export interface ComponentFacts {
  id: string;
  kind: PolicyKind;
  name: string;
  os: string;
  addresses: string[];
}

export async function listGroups(db: Queryable) {
  const groups = await db.query<GroupRow>('SELECT * FROM component_groups ORDER BY priority, name');
  const members = await db.query<{ group_id: string; component_id: string }>(
    'SELECT group_id, component_id FROM component_group_members ORDER BY component_id',
  );
  return groups.map((group) => ({
    id: group.id,
    name: group.name,
    kind: group.kind,
    policyId: group.policy_id,
    priority: group.priority,
    rule: group.rule,
    members: members.filter((m) => m.group_id === group.id).map((m) => m.component_id),
  }));
}

/** Makes or replaces a group (by id); members are replaced whole. */
export async function saveGroup(
  store: Store,
  id: string | null,
  request: GroupRequest,
  actor: string,
  options: { leaveOutUnknown?: boolean } = {},
): Promise<string> {
  const problem = ruleProblem(request.rule ?? {});
  if (problem) throw new GroupInvalid(problem);
  return store.transaction(async (tx) => {
    const [policy] = await tx.query<{ kind: string }>('SELECT kind FROM policies WHERE id = $1', [
      request.policyId,
    ]);
    if (policy?.kind !== request.kind)
      throw new GroupInvalid(`no ${request.kind} policy with id ${request.policyId}`);
    const groupId = id ?? randomUUID();
    const rows = await tx
      .query(
        `INSERT INTO component_groups (id, name, kind, policy_id, priority, rule)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
         policy_id = EXCLUDED.policy_id, priority = EXCLUDED.priority, rule = EXCLUDED.rule
       RETURNING id`,
        [
          groupId,
          request.name,
          request.kind,
          request.policyId,
          request.priority ?? 100,
          JSON.stringify(request.rule ?? {}),
        ],
      )
      .catch((error: { code?: string }) => {
        if (error.code === '23505')
          throw new PolicyConflict(`a group named "${request.name}" exists`);
        throw error;
      });
    if (rows.length === 0) throw new GroupInvalid('the group was not saved');
    await tx.query('DELETE FROM component_group_members WHERE group_id = $1', [groupId]);
    const unknown: string[] = [];
    for (const member of new Set(request.members ?? [])) {
      const added = await tx.query(
        `INSERT INTO component_group_members (group_id, component_id)
         SELECT $1, id FROM components WHERE id = $2 AND kind = $3 RETURNING component_id`,
        [groupId, member, request.kind],
      );
      if (added.length === 0) unknown.push(member);
    }
    // An import from another site names components this one never had: those are left out.
    if (unknown.length > 0 && !options.leaveOutUnknown)
      throw new GroupInvalid(`no ${request.kind} with id ${unknown.join(', ')}`);
    await recordChange(tx, {
      actor,
      action: id ? 'group.update' : 'group.create',
      subject: groupId,
      detail: { ...request },
    });
    return groupId;
  });
}

export async function deleteGroup(store: Store, id: string, actor: string): Promise<boolean> {
  return store.transaction(async (tx) => {
    const rows = await tx.query('DELETE FROM component_groups WHERE id = $1 RETURNING id', [id]);
    if (rows.length > 0) await recordChange(tx, { actor, action: 'group.delete', subject: id });
    return rows.length > 0;
  });
}

/** The group a component falls in, first by priority; null when none takes it. */
export async function groupOf(db: Queryable, component: ComponentFacts): Promise<GroupRow | null> {
  const groups = await db.query<GroupRow & { member: boolean }>(
    `SELECT g.*, EXISTS (SELECT 1 FROM component_group_members m
                         WHERE m.group_id = g.id AND m.component_id = $2) AS member
     FROM component_groups g WHERE g.kind = $1 ORDER BY g.priority, g.name`,
    [component.kind, component.id],
  );
  return groups.find((group) => group.member || ruleMatches(group.rule, component)) ?? null;
}

/** True when every field the rule gives matches; an empty rule matches nothing. */
export function ruleMatches(rule: GroupRule, component: ComponentFacts): boolean {
  const checks: boolean[] = [];
  if (rule.namePattern !== undefined) checks.push(globMatches(rule.namePattern, component.name));
  if (rule.os !== undefined)
    checks.push(component.os.toLowerCase().includes(rule.os.toLowerCase()));
  if (rule.subnet !== undefined) checks.push(inSubnet(rule.subnet, component.addresses));
  return checks.length > 0 && checks.every(Boolean);
}

/**
 * `*` any run of characters, `?` one character, the rest itself, any case. Matched by walking
 * both strings once, going back only to the last `*` (at most name × pattern steps): a
 * regular expression built from a pattern with many stars can take exponential time, and a
 * group rule is checked on the hub's one thread at every activation and policy check.
 */
export function globMatches(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const n = name.toLowerCase();
  let pi = 0;
  let ni = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (ni < n.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === n[ni]))) {
      pi++;
      ni++;
    } else if (pi < p.length && p[pi] === '*') {
      starAt = pi++;
      resumeAt = ni;
    } else if (starAt >= 0) {
      pi = starAt + 1;
      ni = ++resumeAt;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

function inSubnet(subnet: string, addresses: string[]): boolean {
  const [network, bits] = subnet.split('/') as [string, string];
  const family = isIPv4(network) ? 'ipv4' : 'ipv6';
  const block = new BlockList();
  block.addSubnet(network, Number(bits), family);
  return addresses.some((address) => {
    const bare = address.split('/')[0]!.split('%')[0]!;
    const sameFamily = family === 'ipv4' ? isIPv4(bare) : isIPv6(bare);
    return sameFamily && block.check(bare, family);
  });
}

/** What is wrong with a rule, or null when it can be saved. */
export function ruleProblem(rule: GroupRule): string | null {
  if (rule.subnet === undefined) return null;
  const [network, bits, extra] = rule.subnet.split('/');
  const max = network && isIPv4(network) ? 32 : network && isIPv6(network) ? 128 : -1;
  const prefix = Number(bits);
  if (max < 0 || extra !== undefined || !/^\d{1,3}$/.test(bits ?? '') || prefix > max)
    return `subnet must be an address block such as 10.20.0.0/16, not "${rule.subnet}"`;
  return null;
}

/** A group request that cannot be saved; the API answers 400 with the reason. */
export class GroupInvalid extends Error {
  readonly code = 'invalid_group';
}
