import type { Queryable } from '../store/store.js';
import { getMachineInventory } from './machine-inventory-queries.js';

/** Most history points a machine page gets at once. */
export const maxHistoryPoints = 500;

const listColumns = `id, agent_id, hostname, fqdn, os, last_seen_at, cpu_percent, cpu_count,
  memory_total_bytes, memory_used_bytes, disk_total_bytes, disk_used_bytes, user_count,
  cpu_model, kernel, arch, booted_at, first_seen_at`;

interface MachineRow {
  id: string;
  agent_id: string | null;
  hostname: string;
  fqdn: string;
  os: string;
  last_seen_at: Date;
  cpu_percent: number | null;
  cpu_count: number;
  memory_total_bytes: number | null;
  memory_used_bytes: number | null;
  disk_total_bytes: number | null;
  disk_used_bytes: number | null;
  user_count: number;
  cpu_model: string;
  kernel: string;
  arch: string;
  booted_at: Date | null;
  first_seen_at: Date;
}

const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);

function toListItem(row: MachineRow) {
  return {
    id: row.id,
    /** The agent reporting this machine: what to revoke through the components API. */
    agentId: row.agent_id,
    hostname: row.hostname,
    fqdn: row.fqdn,
    os: row.os,
    lastSeenAt: iso(row.last_seen_at),
    cpuPercent: row.cpu_percent,
    cpuCount: row.cpu_count,
    memoryTotalBytes: row.memory_total_bytes,
    memoryUsedBytes: row.memory_used_bytes,
    diskTotalBytes: row.disk_total_bytes,
    diskUsedBytes: row.disk_used_bytes,
    userCount: row.user_count,
  };
}

export async function listMachines(db: Queryable) {
  const rows = await db.query<MachineRow>(
    `SELECT ${listColumns} FROM machines ORDER BY lower(hostname), id`,
  );
  return rows.map(toListItem);
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A span of time to show a machine's history over; both ends as dates. */
export interface HistoryRange {
  from: Date;
  to: Date;
}

/**
 * One machine with its latest sample and history (oldest first), or null. Without a range
 * the history is the latest `maxHistoryPoints` samples; with one, the range is cut into
 * `maxHistoryPoints` equal spans and each span with samples gives one point (the average),
 * so a month reads as quickly as an hour.
 */
export async function getMachine(db: Queryable, id: string, range?: HistoryRange) {
  if (!uuidPattern.test(id)) return null;
  const rows = await db.query<MachineRow & { latest_sample: unknown }>(
    `SELECT ${listColumns}, latest_sample FROM machines WHERE id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) return null;

  const history = range ? await historyOver(db, id, range) : await latestHistory(db, id);
  return {
    machine: {
      ...toListItem(row),
      cpuModel: row.cpu_model,
      kernel: row.kernel,
      arch: row.arch,
      bootedAt: iso(row.booted_at),
      firstSeenAt: iso(row.first_seen_at),
    },
    latest: row.latest_sample ?? null,
    ...(await getMachineInventory(db, id)),
    history: history.map((point) => ({
      at: iso(point.sampled_at),
      cpuPercent: point.cpu_percent,
      memoryUsedBytes: point.memory_used_bytes,
      diskUsedBytes: point.disk_used_bytes,
    })),
  };
}

interface HistoryRow {
  sampled_at: Date;
  cpu_percent: number | null;
  memory_used_bytes: number | null;
  disk_used_bytes: number | null;
}

function latestHistory(db: Queryable, id: string) {
  return db.query<HistoryRow>(
    `SELECT sampled_at, cpu_percent, memory_used_bytes, disk_used_bytes FROM (
       SELECT * FROM machine_samples WHERE machine_id = $1 ORDER BY sampled_at DESC LIMIT $2
     ) recent ORDER BY sampled_at`,
    [id, maxHistoryPoints],
  );
}

async function historyOver(db: Queryable, id: string, range: HistoryRange) {
  const spanSeconds = Math.max(
    1,
    Math.ceil((range.to.getTime() - range.from.getTime()) / 1000 / maxHistoryPoints),
  );
  const rows = await db.query<HistoryRow>(
    `SELECT date_bin(make_interval(secs => $4), sampled_at, $2::timestamptz) AS sampled_at,
       avg(cpu_percent)::float8 AS cpu_percent,
       avg(memory_used_bytes)::float8 AS memory_used_bytes,
       avg(disk_used_bytes)::float8 AS disk_used_bytes
     FROM machine_samples WHERE machine_id = $1 AND sampled_at >= $2 AND sampled_at < $3
     GROUP BY 1 ORDER BY 1`,
    [id, range.from, range.to, spanSeconds],
  );
  return rows;
}
