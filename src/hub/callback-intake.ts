import { randomUUID } from 'node:crypto';
import type { CallbackV1 } from '../protocol/callback-schema.js';
import type { Queryable, Store } from '../store/store.js';

export type IntakeOutcome = { status: 'stored' | 'duplicate'; machineId: string };

/**
 * Stores one callback from an agent, all of it or nothing, in one transaction. The agent's
 * callback id makes a second delivery a no-op, so an agent may resend anything it has not
 * seen acknowledged.
 */
export async function storeCallback(
  store: Store,
  agentId: string,
  callback: CallbackV1,
): Promise<IntakeOutcome> {
  return store.transaction(async (tx) => {
    const machineId = await machineOfAgent(tx, agentId, callback);
    const fresh = await tx.query(
      `INSERT INTO callbacks (callback_id, machine_id, component_id, sampled_at, process_count)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (callback_id) DO NOTHING RETURNING callback_id`,
      [callback.callbackId, machineId, agentId, callback.sampledAt, callback.processes.length],
    );
    if (fresh.length === 0) return { status: 'duplicate', machineId };

    const totals = diskTotals(callback);
    await updateLatest(tx, machineId, callback, totals);
    await tx.query(
      `INSERT INTO machine_samples (machine_id, sampled_at, callback_id, cpu_percent, load1,
         memory_total_bytes, memory_used_bytes, disk_total_bytes, disk_used_bytes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        machineId,
        callback.sampledAt,
        callback.callbackId,
        callback.cpuPercent,
        callback.load1,
        Math.round(callback.machine.memory.totalBytes),
        Math.round(callback.machine.memory.usedBytes),
        totals.sizeBytes,
        totals.usedBytes,
      ],
    );
    await insertProcesses(tx, machineId, callback);
    await upsertUsers(tx, machineId, callback);
    await tx.query('UPDATE components SET last_seen_at = now() WHERE id = $1', [agentId]);
    return { status: 'stored', machineId };
  });
}

/** The agent's machine row, created on its first callback. */
async function machineOfAgent(tx: Queryable, agentId: string, callback: CallbackV1) {
  const { hostname, fqdn } = callback.machine;
  // The no-op update makes RETURNING give the existing row's id on conflict.
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO machines (id, agent_id, hostname, fqdn) VALUES ($1, $2, $3, $4)
     ON CONFLICT (agent_id) DO UPDATE SET agent_id = EXCLUDED.agent_id RETURNING id`,
    [randomUUID(), agentId, hostname, fqdn],
  );
  return rows[0]!.id;
}

/** Whole-machine disk figures, each device counted once however many mounts it has. */
function diskTotals(callback: CallbackV1) {
  const byDevice = new Map<string, { sizeBytes: number; usedBytes: number }>();
  for (const disk of callback.disks) byDevice.set(disk.device || disk.mount, disk);
  let sizeBytes = 0;
  let usedBytes = 0;
  for (const disk of byDevice.values()) {
    sizeBytes += disk.sizeBytes;
    usedBytes += disk.usedBytes;
  }
  return { sizeBytes: Math.round(sizeBytes), usedBytes: Math.round(usedBytes) };
}

async function updateLatest(
  tx: Queryable,
  machineId: string,
  callback: CallbackV1,
  totals: { sizeBytes: number; usedBytes: number },
) {
  const { machine } = callback;
  const os = `${machine.os.distro} ${machine.os.release}`.trim();
  // A backlog sent after an outage arrives oldest first: only a newer sample moves "latest".
  await tx.query(
    `UPDATE machines SET hostname = $2, fqdn = $3, os = $4, kernel = $5, arch = $6,
       cpu_model = $7, cpu_count = $8, booted_at = $9, last_seen_at = now(),
       latest_sampled_at = $10, cpu_percent = $11, memory_total_bytes = $12,
       memory_used_bytes = $13, disk_total_bytes = $14, disk_used_bytes = $15,
       user_count = $16, latest_sample = $17::text::jsonb
     WHERE id = $1 AND (latest_sampled_at IS NULL OR latest_sampled_at <= $10)`,
    [
      machineId,
      machine.hostname,
      machine.fqdn,
      os,
      machine.os.kernel,
      machine.os.arch,
      machine.cpu.model,
      machine.cpu.logicalCount,
      machine.bootedAt,
      callback.sampledAt,
      callback.cpuPercent,
      Math.round(machine.memory.totalBytes),
      Math.round(machine.memory.usedBytes),
      totals.sizeBytes,
      totals.usedBytes,
      new Set(callback.users.map((user) => user.account)).size,
      JSON.stringify(latestSampleOf(callback)),
    ],
  );
}

function latestSampleOf(callback: CallbackV1) {
  const { schema: _schema, callbackId: _id, agentVersion: _version, ...sample } = callback;
  return sample;
}

async function insertProcesses(tx: Queryable, machineId: string, callback: CallbackV1) {
  if (callback.processes.length === 0) return;
  // One statement for the whole list: the rows travel as one JSON parameter.
  await tx.query(
    `INSERT INTO process_samples (machine_id, sampled_at, callback_id, pid, parent_pid, name,
       command, account, cpu_percent, memory_rss_bytes, started_at)
     SELECT $1, $2, $3, p.pid, p."parentPid", p.name, p.command, p.account, p."cpuPercent",
       round(p."memoryRssBytes")::bigint, p."startedAt"::timestamptz
     FROM jsonb_to_recordset($4::text::jsonb) AS p(pid integer, "parentPid" integer, name text,
       command text, account text, "cpuPercent" real, "memoryRssBytes" numeric,
       "startedAt" text)`,
    [machineId, callback.sampledAt, callback.callbackId, JSON.stringify(callback.processes)],
  );
}

async function upsertUsers(tx: Queryable, machineId: string, callback: CallbackV1) {
  for (const user of callback.users) {
    const rows = await tx.query<{ id: string }>(
      `INSERT INTO users (id, account) VALUES ($1, $2)
       ON CONFLICT (account) DO UPDATE SET last_seen_at = now() RETURNING id`,
      [randomUUID(), user.account],
    );
    await tx.query(
      `INSERT INTO machine_users (machine_id, user_id, terminal, from_address, logged_in_at,
         last_seen_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (machine_id, user_id, terminal) DO UPDATE SET from_address = EXCLUDED.from_address,
         logged_in_at = EXCLUDED.logged_in_at,
         last_seen_at = GREATEST(machine_users.last_seen_at, EXCLUDED.last_seen_at)`,
      [machineId, rows[0]!.id, user.terminal, user.from, user.loggedInAt, callback.sampledAt],
    );
  }
}
