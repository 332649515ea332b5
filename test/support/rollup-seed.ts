/**
 * Detail rows for roll-up tests, written with plain INSERTs: machines in a group, hourly
 * callbacks with a machine sample, a series point, processes, logons, application events and
 * network flows, with values from a fixed pseudo-random sequence so runs are repeatable.
 */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../src/store/store.js';
import { addTestComponent } from './test-store.js';

export interface SeededSite {
  machines: Array<{ id: string; agentId: string; hostname: string }>;
  accounts: string[];
  groupId: string;
  /** Machines in the group: the first half, listed. */
  groupMachines: string[];
  /** A second group, lower in priority, whose rule takes machines named desk-*; so it has
   * the second half. */
  ruleGroupId: string;
}

const applications = ['outlook', 'teams', 'excel'];

/** Machines, their group, and users (one account per machine). */
export async function seedSite(db: Queryable, machineCount: number): Promise<SeededSite> {
  const machines: SeededSite['machines'] = [];
  const accounts: string[] = [];
  for (let i = 0; i < machineCount; i++) {
    const agentId = await addTestComponent(db, 'agent', `desk-${i}`);
    const id = randomUUID();
    const hostname = `desk-${i}`;
    await db.query(
      `INSERT INTO machines (id, agent_id, hostname, fqdn, cpu_count, last_seen_at)
       VALUES ($1, $2, $3, $3, 4, now())`,
      [id, agentId, hostname],
    );
    const account = `user${i}@CORP`;
    await db.query('INSERT INTO users (id, account) VALUES ($1, $2)', [randomUUID(), account]);
    machines.push({ id, agentId, hostname });
    accounts.push(account);
  }
  const policyId = randomUUID();
  await db.query(
    "INSERT INTO policies (id, name, kind, settings) VALUES ($1, 'floor policy', 'agent', '{}')",
    [policyId],
  );
  const groupId = randomUUID();
  await db.query(
    "INSERT INTO component_groups (id, name, kind, policy_id) VALUES ($1, 'floor-1', 'agent', $2)",
    [groupId, policyId],
  );
  const groupMachines = machines.slice(0, Math.ceil(machineCount / 2));
  for (const machine of groupMachines) {
    await db.query('INSERT INTO component_group_members (group_id, component_id) VALUES ($1, $2)', [
      groupId,
      machine.agentId,
    ]);
  }
  const ruleGroupId = randomUUID();
  await db.query(
    `INSERT INTO component_groups (id, name, kind, policy_id, priority, rule)
     VALUES ($1, 'by-name', 'agent', $2, 200, '{"namePattern": "desk-*"}')`,
    [ruleGroupId, policyId],
  );
  const groupMachineIds = groupMachines.map((m) => m.id);
  return { machines, accounts, groupId, groupMachines: groupMachineIds, ruleGroupId };
}

/** A repeatable sequence of numbers in [0, 1). */
export function sequence(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * One callback per machine at each instant, with its detail rows; `received` sets the
 * callbacks' received_at (default now). Returns the callback ids.
 */
export async function seedCallbacks(
  db: Queryable,
  site: SeededSite,
  instants: readonly Date[],
  seed = 1,
): Promise<string[]> {
  const next = sequence(seed);
  const ids: string[] = [];
  for (const at of instants) {
    for (const [index, machine] of site.machines.entries()) {
      const callbackId = randomUUID();
      const account = site.accounts[index]!;
      ids.push(callbackId);
      await db.query(
        `INSERT INTO callbacks (callback_id, machine_id, component_id, sampled_at, process_count)
         VALUES ($1, $2, $3, $4, 2)`,
        [callbackId, machine.id, machine.agentId, at],
      );
      await db.query(
        `INSERT INTO machine_samples (machine_id, sampled_at, callback_id, cpu_percent, load1,
           memory_total_bytes, memory_used_bytes, disk_total_bytes, disk_used_bytes)
         VALUES ($1, $2, $3, $4, 1, 8000000000, $5, 500000000000, $6)`,
        [machine.id, at, callbackId, round(next() * 100), Math.round(next() * 8e9), 4e11],
      );
      await db.query(
        `INSERT INTO machine_series_points (machine_id, sampled_at, callback_id, cpu_percent,
           cpu_queue_per_core, disk_latency_millis) VALUES ($1, $2, $3, 10, $4, $5)`,
        [machine.id, at, callbackId, round(next() * 3), round(next() * 50)],
      );
      for (const name of applications.slice(0, 2)) {
        await db.query(
          `INSERT INTO process_samples (machine_id, sampled_at, callback_id, pid, parent_pid, name,
             command, account, cpu_percent, memory_rss_bytes)
           VALUES ($1, $2, $3, 100, 1, $4, $4, $5, $6, $7)`,
          [machine.id, at, callbackId, name, account, round(next() * 40), Math.round(next() * 1e9)],
        );
      }
      const eventAt = new Date(at.getTime() - 60_000);
      await db.query(
        `INSERT INTO logon_events (machine_id, callback_id, at, account, event, terminal,
           from_address, duration_millis) VALUES ($1, $2, $3, $4, 'logon', 'tty1', '', $5)`,
        [machine.id, callbackId, eventAt, account, Math.round(5_000 + next() * 60_000)],
      );
      const application = applications[Math.floor(next() * applications.length)]!;
      const event = next() < 0.2 ? 'not_responding' : 'loaded';
      await db.query(
        `INSERT INTO application_events (machine_id, callback_id, at, event, application, pid,
           account, duration_millis) VALUES ($1, $2, $3, $4, $5, 100, $6, $7)`,
        [machine.id, callbackId, eventAt, event, application, account, Math.round(next() * 8000)],
      );
      await insertFlow(db, machine.id, application, at, round(next() * 0.3));
    }
  }
  return ids;
}

/** The network_flows columns a roll-up reads or the table requires, in insert order. */
export const networkFlowColumns = [
  'collector_id',
  'batch_id',
  'interval_start',
  'interval_end',
  'connection_start',
  'transport',
  'orig_address',
  'orig_port',
  'resp_address',
  'resp_port',
  'protocol',
  'protocol_rule',
  'application',
  'machine_id',
  'end_reason',
  'conn_state',
  'history',
  'orig_packets',
  'orig_bytes',
  'orig_payload_bytes',
  'orig_retransmissions',
  'orig_out_of_order',
  'orig_zero_windows',
  'resp_packets',
  'resp_bytes',
  'resp_payload_bytes',
  'resp_retransmissions',
  'resp_out_of_order',
  'resp_zero_windows',
  'handshake_rtt_seconds',
  'ack_rtt_count',
  'ack_rtt_sum_seconds',
  'response_count',
  'response_sum_seconds',
  'response_unanswered',
].join(', ');

async function insertFlow(
  db: Queryable,
  machineId: string,
  application: string,
  at: Date,
  rttSeconds: number,
): Promise<void> {
  await db.query(
    `INSERT INTO network_flows (${networkFlowColumns})
     VALUES ($1, $1, $2, $2, $2, 'tcp', '10.0.0.1', 50000, '10.0.0.2', 443, 'tls', 'port', $3,
       $4, 'finished', 'SF', 'ShAD', 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, $5, 0, 0, 0, 0, 0)`,
    [randomUUID(), at, application, machineId, rttSeconds],
  );
}

// Values as a real column holds them, so a float4 round trip changes nothing.
function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Every hour from `from` (inclusive) to `to` (exclusive), on the half hour. */
export function hourlyInstants(from: string, to: string): Date[] {
  const instants: Date[] = [];
  for (let t = Date.parse(from) + 1_800_000; t < Date.parse(to); t += 3_600_000) {
    instants.push(new Date(t));
  }
  return instants;
}
