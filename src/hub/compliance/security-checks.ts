/**
 * The security checks a policy asks for, evaluated against what agents report: the agent's
 * version against the policy's minimum, and accounts with local administrator rights where
 * the policy does not allow them. Checks are made when asked (for the API and the console),
 * over the policy each agent was last given, so a changed policy shows at once.
 */
import type { Queryable } from '../../store/store.js';

export type FindingCheck = 'agent_version' | 'local_administrators';

export interface SecurityFinding {
  check: FindingCheck;
  machineId: string;
  hostname: string;
  agentId: string;
  policyId: string;
  policyName: string;
  /** What was found, in words an administrator can act on. */
  message: string;
  detail: Record<string, unknown>;
}

/** How far back sightings of administrator rights count: 7 days unless asked otherwise. */
export const defaultAdministratorWindowDays = 7;

/**
 * Compares dotted version numbers part by part as numbers ("0.10.0" is newer than "0.9.2");
 * a part with letters ("1.2.0-rc1") counts by its leading digits. Negative, zero or positive.
 */
export function compareVersions(a: string, b: string): number {
  const parts = (version: string) =>
    version
      .trim()
      .replace(/^v/i, '')
      .split('.')
      .map((part) => Number.parseInt(part, 10) || 0);
  const left = parts(a);
  const right = parts(b);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

interface AgentPolicyRow {
  machine_id: string;
  hostname: string;
  agent_id: string;
  agent_version: string | null;
  policy_id: string;
  policy_name: string;
  checks: { minAgentVersion?: string; localAdministratorsAllowed?: boolean } | null;
}

interface AdministratorRow {
  machine_id: string;
  account: string;
  last_seen_at: Date;
}

/** Every finding on the site now, by machine name then check. */
export async function securityFindings(
  db: Queryable,
  options: { nowMillis: number; administratorWindowDays?: number },
): Promise<SecurityFinding[]> {
  const agents = await db.query<AgentPolicyRow>(
    `SELECT m.id AS machine_id, m.hostname, c.id AS agent_id, c.agent_version,
       p.id AS policy_id, p.name AS policy_name, p.settings -> 'securityChecks' AS checks
     FROM machines m
     JOIN components c ON c.id = m.agent_id AND c.status = 'active'
     JOIN policies p ON p.id = c.policy_id
     WHERE p.settings ? 'securityChecks'
     ORDER BY m.hostname, m.id`,
  );
  const days = options.administratorWindowDays ?? defaultAdministratorWindowDays;
  const strict = agents.filter((row) => row.checks?.localAdministratorsAllowed === false);
  const administrators =
    strict.length === 0
      ? []
      : await db.query<AdministratorRow>(
          `SELECT mu.machine_id, u.account, max(mu.last_seen_at) AS last_seen_at
           FROM machine_users mu JOIN users u ON u.id = mu.user_id
           WHERE mu.is_administrator AND mu.machine_id = ANY($1::uuid[])
             AND mu.last_seen_at >= $2
           GROUP BY mu.machine_id, u.account
           ORDER BY u.account`,
          [strict.map((row) => row.machine_id), new Date(options.nowMillis - days * 86_400_000)],
        );

  const findings: SecurityFinding[] = [];
  for (const row of agents) {
    const base = {
      machineId: row.machine_id,
      hostname: row.hostname,
      agentId: row.agent_id,
      policyId: row.policy_id,
      policyName: row.policy_name,
    };
    const minimum = row.checks?.minAgentVersion;
    if (minimum) {
      if (row.agent_version === null) {
        findings.push({
          ...base,
          check: 'agent_version',
          message:
            'the agent has not reported its version yet; ' +
            `the policy asks for ${minimum} or later`,
          detail: { version: null, minimum },
        });
      } else if (compareVersions(row.agent_version, minimum) < 0) {
        findings.push({
          ...base,
          check: 'agent_version',
          message: `agent ${row.agent_version} is older than ${minimum}, the policy's minimum`,
          detail: { version: row.agent_version, minimum },
        });
      }
    }
    if (row.checks?.localAdministratorsAllowed === false) {
      const accounts = administrators.filter((admin) => admin.machine_id === row.machine_id);
      if (accounts.length > 0) {
        findings.push({
          ...base,
          check: 'local_administrators',
          message:
            `${accounts.map((admin) => admin.account).join(', ')} signed in with local ` +
            `administrator rights in the last ${days} days; the policy does not allow it`,
          detail: {
            accounts: accounts.map((admin) => ({
              account: admin.account,
              lastSeenAt: new Date(admin.last_seen_at).toISOString(),
            })),
            days,
          },
        });
      }
    }
  }
  return findings;
}
