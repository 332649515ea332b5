import type { ApplicationEvent, LogonEvent } from '../protocol/callback-activity.js';
import type { HardwareInfo, SoftwareInventory } from '../protocol/callback-inventory.js';
import type { UsageGroup } from '../protocol/callback-usage.js';
import type { Queryable } from '../store/store.js';

type Sampled<T> = T & { sampledAt: string | null };

/** Most logons, stuck processes and usage groups one machine page gets at once. */
export const maxRecentEvents = 100;

const iso = (value: Date | string | null) => (value ? new Date(value).toISOString() : null);

/**
 * What a machine page shows beside the sample: hardware, software and packages, who holds
 * administrator rights, recent logons and stuck processes, and use per user and application
 * at the latest sample. Each part is null or empty until an agent has reported it.
 */
export async function getMachineInventory(db: Queryable, machineId: string) {
  const [hardware, software, packages, users, logons, stuck, usage] = await Promise.all([
    db.query<Sampled<HardwareInfo>>(
      `SELECT manufacturer, model, serial, to_char(bios_date, 'YYYY-MM-DD') AS "biosDate",
         bios_age_days AS "biosAgeDays", is_virtual AS "isVirtual", hypervisor, container,
         graphics, network_cards AS "networkCards", sampled_at AS "sampledAt"
       FROM machine_hardware WHERE machine_id = $1`,
      [machineId],
    ),
    db.query<Sampled<Omit<SoftwareInventory, 'packages'>>>(
      `SELECT source, patch_level AS "patchLevel", package_count AS "packageCount",
         packages_hash AS "packagesHash", sampled_at AS "sampledAt"
       FROM machine_software WHERE machine_id = $1`,
      [machineId],
    ),
    db.query<{ name: string; architecture: string; version: string; installed_at: Date | null }>(
      `SELECT name, architecture, version, installed_at FROM machine_packages
       WHERE machine_id = $1 ORDER BY name, architecture, version`,
      [machineId],
    ),
    db.query<{ account: string; is_administrator: boolean | null }>(
      `SELECT DISTINCT u.account, mu.is_administrator FROM machine_users mu
       JOIN users u ON u.id = mu.user_id WHERE mu.machine_id = $1 ORDER BY u.account`,
      [machineId],
    ),
    db.query<LogonEvent>(
      `SELECT at, account, event, terminal, from_address AS "from",
         duration_millis AS "durationMillis", session_millis AS "sessionMillis", phases
       FROM logon_events WHERE machine_id = $1 ORDER BY at DESC LIMIT $2`,
      [machineId, maxRecentEvents],
    ),
    db.query<Omit<ApplicationEvent, 'event'>>(
      `SELECT at, application, pid, account, duration_millis AS "durationMillis"
       FROM application_events WHERE machine_id = $1 AND event = 'not_responding'
       ORDER BY at DESC LIMIT $2`,
      [machineId, maxRecentEvents],
    ),
    db.query<UsageGroup & { kind: string }>(
      `SELECT kind, key, process_count AS "processCount", cpu_percent AS "cpuPercent",
         memory_rss_bytes AS "memoryRssBytes", disk_read_bytes AS "diskReadBytes",
         disk_write_bytes AS "diskWriteBytes"
       FROM usage_samples WHERE machine_id = $1 AND sampled_at =
         (SELECT max(sampled_at) FROM usage_samples WHERE machine_id = $1)
       ORDER BY kind, cpu_percent DESC, memory_rss_bytes DESC LIMIT $2`,
      [machineId, 2 * maxRecentEvents],
    ),
  ]);
  const group = (kind: string) =>
    usage.filter((row) => row.kind === kind).map(({ kind: _kind, ...row }) => row);
  return {
    hardware: hardware[0] ? withTimes(hardware[0]) : null,
    software: software[0]
      ? {
          ...withTimes(software[0]),
          packages: packages.map((p) => ({
            name: p.name,
            architecture: p.architecture,
            version: p.version,
            installedAt: iso(p.installed_at),
          })),
        }
      : null,
    administrators: users.filter((u) => u.is_administrator).map((u) => u.account),
    logons: logons.map(withTimes),
    notResponding: stuck.map(withTimes),
    usage: { byUser: group('user'), byApplication: group('application') },
  };
}

// Times as ISO strings, the same on both stores (pg gives Date objects, PGlite too).
function withTimes<T extends object>(row: T): T {
  const out = { ...row } as Record<string, unknown>;
  for (const key of ['at', 'sampledAt']) {
    if (key in out) out[key] = iso(out[key] as Date | null);
  }
  return out as T;
}
