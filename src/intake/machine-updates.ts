import { randomUUID } from 'node:crypto';
import type { CallbackV1 } from '../protocol/callback-schema.js';
import type { Queryable } from '../store/store.js';
import { diskTotals } from './callback-rows.js';
import type { ReceivedCallback } from './callback-tables.js';

/**
 * The machine of each agent in the batch, created on an agent's first callback. Existing
 * machines are read without locking them, so writers draining other agents never wait.
 */
export async function machinesOfAgents(
  tx: Queryable,
  batch: readonly ReceivedCallback[],
): Promise<Map<string, string>> {
  const firstOfAgent = new Map<string, CallbackV1>();
  for (const { agentId, callback } of batch) {
    if (!firstOfAgent.has(agentId)) firstOfAgent.set(agentId, callback);
  }
  const rows = await tx.query<{ id: string; agent_id: string }>(
    'SELECT id, agent_id FROM machines WHERE agent_id = ANY($1::uuid[])',
    [[...firstOfAgent.keys()]],
  );
  const machines = new Map(rows.map((row) => [row.agent_id, row.id]));

  // Sorted, so two writers creating the same machines take their locks in the same order.
  const missing = [...firstOfAgent.keys()].filter((agentId) => !machines.has(agentId)).sort();
  if (missing.length > 0) {
    const created = await tx.query<{ id: string; agent_id: string }>(
      `INSERT INTO machines (id, agent_id, hostname, fqdn)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[])
       ON CONFLICT (agent_id) DO UPDATE SET agent_id = EXCLUDED.agent_id RETURNING id, agent_id`,
      [
        missing.map(() => randomUUID()),
        missing,
        missing.map((agentId) => firstOfAgent.get(agentId)!.machine.hostname),
        missing.map((agentId) => firstOfAgent.get(agentId)!.machine.fqdn),
      ],
    );
    for (const row of created) machines.set(row.agent_id, row.id);
  }
  return machines;
}

/**
 * Moves each machine's latest figures to the newest sample in the batch. A backlog sent after
 * an outage arrives oldest first: only a sample newer than the stored one moves "latest".
 */
export async function updateLatest(
  tx: Queryable,
  fresh: readonly ReceivedCallback[],
  machines: Map<string, string>,
): Promise<void> {
  const newest = new Map<string, CallbackV1>();
  for (const { agentId, callback } of fresh) {
    const machineId = machines.get(agentId)!;
    const seen = newest.get(machineId);
    if (!seen || Date.parse(seen.sampledAt) <= Date.parse(callback.sampledAt)) {
      newest.set(machineId, callback);
    }
  }
  const rows = [...newest].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, c]) => latestRow(id, c));
  await tx.query(
    `UPDATE machines m SET hostname = l.hostname, fqdn = l.fqdn, os = l.os, kernel = l.kernel,
       arch = l.arch, cpu_model = l.cpu_model, cpu_count = l.cpu_count, booted_at = l.booted_at,
       last_seen_at = now(), latest_sampled_at = l.sampled_at, cpu_percent = l.cpu_percent,
       memory_total_bytes = l.memory_total_bytes, memory_used_bytes = l.memory_used_bytes,
       disk_total_bytes = l.disk_total_bytes, disk_used_bytes = l.disk_used_bytes,
       user_count = l.user_count, latest_sample = l.latest_sample
     FROM jsonb_to_recordset($1::text::jsonb) AS l(id uuid, hostname text, fqdn text, os text,
       kernel text, arch text, cpu_model text, cpu_count integer, booted_at timestamptz,
       sampled_at timestamptz, cpu_percent real, memory_total_bytes bigint,
       memory_used_bytes bigint, disk_total_bytes bigint, disk_used_bytes bigint,
       user_count integer, latest_sample jsonb)
     WHERE m.id = l.id AND (m.latest_sampled_at IS NULL OR m.latest_sampled_at <= l.sampled_at)`,
    [JSON.stringify(rows)],
  );
}

function latestRow(id: string, callback: CallbackV1) {
  const { machine } = callback;
  const disks = diskTotals(callback);
  const { schema: _schema, callbackId: _id, agentVersion: _version, ...sample } = callback;
  return {
    id,
    hostname: machine.hostname,
    fqdn: machine.fqdn,
    os: `${machine.os.distro} ${machine.os.release}`.trim(),
    kernel: machine.os.kernel,
    arch: machine.os.arch,
    cpu_model: machine.cpu.model,
    cpu_count: machine.cpu.logicalCount,
    booted_at: machine.bootedAt,
    sampled_at: callback.sampledAt,
    cpu_percent: callback.cpuPercent,
    memory_total_bytes: Math.round(machine.memory.totalBytes),
    memory_used_bytes: Math.round(machine.memory.usedBytes),
    disk_total_bytes: disks.sizeBytes,
    disk_used_bytes: disks.usedBytes,
    user_count: new Set(callback.users.map((user) => user.account)).size,
    latest_sample: sample,
  };
}
