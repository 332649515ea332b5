import type { Queryable } from '../store/store.js';
import type { ReceivedCallback } from './callback-tables.js';

/** How stale a name's last_seen may grow before intake rewrites its row: an hour. */
const lastSeenSlackSeconds = 3_600;

/**
 * Keeps the names dictionary search reads (known_names, known_name_machines) up to date with
 * one statement per batch. Pairs and names already known, and seen within the hour, are
 * filtered out before any write, so the usual batch locks and writes nothing there and
 * writers draining at once do not queue on popular names like a browser's.
 */
export async function recordNames(
  tx: Queryable,
  fresh: readonly ReceivedCallback[],
  machines: Map<string, string>,
): Promise<void> {
  const seen = new Map<string, { kind: string; name: string; machineId: string; at: string }>();
  const note = (kind: string, name: string, machineId: string, at: string) => {
    const key = `${kind}\u0001${name}\u0001${machineId}`;
    const before = seen.get(key);
    if (!before || Date.parse(before.at) < Date.parse(at))
      seen.set(key, { kind, name, machineId, at });
  };
  for (const { agentId, callback } of fresh) {
    const machineId = machines.get(agentId)!;
    for (const process of callback.processes)
      note('process', process.name, machineId, callback.sampledAt);
    for (const event of callback.applicationEvents ?? [])
      note('application', event.application, machineId, event.at);
    for (const group of callback.usage?.byApplication ?? [])
      note('application', group.key, machineId, callback.sampledAt);
  }
  if (seen.size === 0) return;

  // Sorted, so writers adding the same new names lock them in the same order.
  const rows = [...seen.keys()].sort().map((key) => seen.get(key)!);
  await tx.query(
    `WITH incoming AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::timestamptz[])
         AS i(kind, name, machine_id, at)
     ), added AS (
       INSERT INTO known_name_machines (kind, name, machine_id)
       SELECT i.kind, i.name, i.machine_id FROM incoming i
       WHERE NOT EXISTS (SELECT 1 FROM known_name_machines k
         WHERE k.kind = i.kind AND k.name = i.name AND k.machine_id = i.machine_id)
       ORDER BY 1, 2, 3
       ON CONFLICT DO NOTHING
       RETURNING kind, name
     ), named AS (
       SELECT i.kind, i.name, min(i.at) AS first_seen, max(i.at) AS last_seen,
         coalesce(max(a.n), 0) AS added
       FROM incoming i
         LEFT JOIN (SELECT kind, name, count(*)::int AS n FROM added GROUP BY 1, 2) a
           ON a.kind = i.kind AND a.name = i.name
       GROUP BY i.kind, i.name
     )
     INSERT INTO known_names (kind, name, first_seen, last_seen, machine_count)
     SELECT n.kind, n.name, n.first_seen, n.last_seen, n.added FROM named n
     WHERE n.added > 0 OR NOT EXISTS (SELECT 1 FROM known_names k
       WHERE k.kind = n.kind AND k.name = n.name
         AND k.first_seen <= n.first_seen
         AND k.last_seen >= n.last_seen - make_interval(secs => $5))
     ORDER BY 1, 2
     ON CONFLICT (kind, name) DO UPDATE SET
       first_seen = LEAST(known_names.first_seen, EXCLUDED.first_seen),
       last_seen = GREATEST(known_names.last_seen, EXCLUDED.last_seen),
       machine_count = known_names.machine_count + EXCLUDED.machine_count`,
    [
      rows.map((row) => row.kind),
      rows.map((row) => row.name),
      rows.map((row) => row.machineId),
      rows.map((row) => row.at),
      lastSeenSlackSeconds,
    ],
  );
}
