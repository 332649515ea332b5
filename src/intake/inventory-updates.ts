import type { CallbackV1 } from '../protocol/callback-schema.js';
import type { Queryable } from '../store/store.js';
import type { ReceivedCallback } from './callback-tables.js';

/**
 * Keeps each machine's hardware, software summary and package list as its newest callback
 * says. Callbacks may arrive out of order (a backlog drained after an outage), so a row is
 * replaced only by a callback sampled later than the one it came from.
 */
export async function updateInventory(
  tx: Queryable,
  fresh: readonly ReceivedCallback[],
  machines: Map<string, string>,
): Promise<void> {
  const newest = (has: (c: CallbackV1) => boolean) => {
    const found = new Map<string, CallbackV1>();
    for (const { agentId, callback } of fresh) {
      const machineId = machines.get(agentId)!;
      const seen = found.get(machineId);
      if (has(callback) && (!seen || seen.sampledAt < callback.sampledAt)) {
        found.set(machineId, callback);
      }
    }
    // Sorted, so concurrent writers lock machines in the same order and cannot deadlock.
    return [...found.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  };

  for (const [machineId, c] of newest((c) => c.hardware !== undefined)) {
    const h = c.hardware!;
    await tx.query(
      `INSERT INTO machine_hardware AS m (machine_id, sampled_at, manufacturer, model, serial,
         bios_date, bios_age_days, is_virtual, hypervisor, container, graphics, network_cards)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::text::jsonb, $12::text::jsonb)
       ON CONFLICT (machine_id) DO UPDATE SET sampled_at = EXCLUDED.sampled_at,
         manufacturer = EXCLUDED.manufacturer, model = EXCLUDED.model, serial = EXCLUDED.serial,
         bios_date = EXCLUDED.bios_date, bios_age_days = EXCLUDED.bios_age_days,
         is_virtual = EXCLUDED.is_virtual, hypervisor = EXCLUDED.hypervisor,
         container = EXCLUDED.container, graphics = EXCLUDED.graphics,
         network_cards = EXCLUDED.network_cards
       WHERE m.sampled_at <= EXCLUDED.sampled_at`,
      [
        ...[machineId, c.sampledAt, h.manufacturer, h.model, h.serial, h.biosDate],
        ...[h.biosAgeDays, h.isVirtual, h.hypervisor, h.container],
        ...[JSON.stringify(h.graphics), JSON.stringify(h.networkCards)],
      ],
    );
  }

  for (const [machineId, c] of newest((c) => c.software !== undefined)) {
    const s = c.software!;
    const replaced = await tx.query<{ packages_sampled_at: Date | null }>(
      `INSERT INTO machine_software AS m (machine_id, sampled_at, source, patch_level,
         package_count, packages_hash)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (machine_id) DO UPDATE SET sampled_at = EXCLUDED.sampled_at,
         source = EXCLUDED.source, patch_level = EXCLUDED.patch_level,
         package_count = EXCLUDED.package_count, packages_hash = EXCLUDED.packages_hash
       WHERE m.sampled_at <= EXCLUDED.sampled_at
       RETURNING packages_sampled_at`,
      [machineId, c.sampledAt, s.source, s.patchLevel, s.packageCount, s.packagesHash],
    );
    // No row back: a later callback already stored this machine's software.
    if (!s.packages || replaced.length === 0) continue;
    await replacePackages(tx, machineId, c);
  }
}

async function replacePackages(tx: Queryable, machineId: string, c: CallbackV1): Promise<void> {
  const unique = new Map(
    c.software!.packages!.map((p) => [`${p.name}\u0000${p.architecture}\u0000${p.version}`, p]),
  );
  await tx.query('DELETE FROM machine_packages WHERE machine_id = $1', [machineId]);
  await tx.query(
    `INSERT INTO machine_packages (machine_id, name, architecture, version, installed_at)
     SELECT $1, r.name, r.architecture, r.version, r."installedAt"
     FROM jsonb_to_recordset($2::text::jsonb) AS r(name text, architecture text, version text,
       "installedAt" timestamptz)`,
    [machineId, JSON.stringify([...unique.values()])],
  );
  await tx.query('UPDATE machine_software SET packages_sampled_at = $2 WHERE machine_id = $1', [
    machineId,
    c.sampledAt,
  ]);
}
