import type { Queryable } from '../../store/store.js';
import { ruleMatches, type ComponentFacts, type GroupRule } from '../policies/component-groups.js';

/**
 * The group of each machine, as policies see it: the first agent group, by priority then
 * name, that lists the machine's agent or whose rule takes it. Machines no group takes are
 * left out. As of now; roll-ups built earlier keep the groups of their day.
 */
export async function machineGroups(
  db: Queryable,
): Promise<{ machineIds: string[]; groupIds: string[] }> {
  const groups = await db.query<{ id: string; rule: GroupRule; members: string[] }>(
    `SELECT g.id, g.rule, coalesce(array_agg(m.component_id::text)
       FILTER (WHERE m.component_id IS NOT NULL), '{}') AS members
     FROM component_groups g LEFT JOIN component_group_members m ON m.group_id = g.id
     WHERE g.kind = 'agent' GROUP BY g.id ORDER BY min(g.priority), min(g.name)`,
  );
  if (groups.length === 0) return { machineIds: [], groupIds: [] };
  // Addresses sit in each machine's latest sample, a large value: read only for subnet rules.
  const interfaces = groups.some((group) => group.rule.subnet !== undefined)
    ? "m.latest_sample -> 'interfaces'"
    : 'NULL::jsonb';
  const machines = await db.query<{
    id: string;
    agent_id: string;
    name: string;
    os: string;
    interfaces: Array<{ ipv4?: string[]; ipv6?: string[] }> | null;
  }>(
    `SELECT m.id, m.agent_id, c.name, m.os, ${interfaces} AS interfaces
     FROM machines m JOIN components c ON c.id = m.agent_id`,
  );
  const listed = groups.map((group) => new Set(group.members));
  const result = { machineIds: [] as string[], groupIds: [] as string[] };
  for (const machine of machines) {
    const facts: ComponentFacts = {
      id: machine.agent_id,
      kind: 'agent',
      name: machine.name,
      os: machine.os,
      addresses: (Array.isArray(machine.interfaces) ? machine.interfaces : []).flatMap((nic) => [
        ...(nic.ipv4 ?? []),
        ...(nic.ipv6 ?? []),
      ]),
    };
    const index = groups.findIndex(
      (group, i) => listed[i]!.has(machine.agent_id) || ruleMatches(group.rule, facts),
    );
    if (index < 0) continue;
    result.machineIds.push(machine.id);
    result.groupIds.push(groups[index]!.id);
  }
  return result;
}
