import { createHash } from 'node:crypto';
import type { Queryable } from '../store/store.js';
import type { ReceivedCallback } from './callback-tables.js';

/** How stale a name's last_seen may grow before intake rewrites its row: an hour. */
const lastSeenSlackSeconds = 3_600;
/** Most machines whose names one process remembers as written: 100,000 (a few MB). */
const maxRememberedMachines = 100_000;

interface NameSighting {
  kind: 'process' | 'application';
  name: string;
  machineId: string;
  at: string;
}

/**
 * What this process last wrote to the names dictionary for each machine: a digest of the
 * machine's names and when. A machine reporting the same names again within the hour is left
 * out of the statement altogether, which is the usual case: desktops run the same programs
 * callback after callback.
 */
export class WrittenNames {
  private readonly machines = new Map<string, { digest: string; atMillis: number }>();

  isFresh(machineId: string, digest: string, nowMillis: number): boolean {
    const seen = this.machines.get(machineId);
    return seen?.digest === digest && nowMillis - seen.atMillis < lastSeenSlackSeconds * 1_000;
  }

  remember(machineId: string, digest: string, nowMillis: number): void {
    if (this.machines.size >= maxRememberedMachines) this.machines.clear();
    this.machines.set(machineId, { digest, atMillis: nowMillis });
  }
}

/**
 * Keeps the names dictionary search reads (known_names, known_name_machines) up to date with
 * at most one statement per batch. Pairs and names already known, and seen within the hour,
 * are filtered out before any write, so a usual batch locks and writes nothing there and
 * writers draining at once do not queue on popular names like a browser's. Returns what to
 * remember once the transaction has committed.
 */
export async function recordNames(
  tx: Queryable,
  fresh: readonly ReceivedCallback[],
  machines: Map<string, string>,
  written: WrittenNames,
  nowMillis: number,
): Promise<() => void> {
  const byMachine = sightingsByMachine(fresh, machines);
  const rows: NameSighting[] = [];
  const digests: Array<[string, string]> = [];
  for (const [machineId, sightings] of byMachine) {
    const names = [...sightings.keys()].sort();
    const digest = createHash('sha1').update(names.join('\u0002')).digest('base64');
    if (written.isFresh(machineId, digest, nowMillis)) continue;
    digests.push([machineId, digest]);
    for (const name of names) rows.push(sightings.get(name)!);
  }
  const remember = () => {
    for (const [machineId, digest] of digests) written.remember(machineId, digest, nowMillis);
  };
  if (rows.length === 0) return remember;

  // Sorted, so writers adding the same new names lock them in the same order.
  rows.sort((a, b) => compare(a.kind, b.kind) || compare(a.name, b.name));
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
  return remember;
}

/** Per machine, its process and application names in the batch, each with its latest time. */
function sightingsByMachine(
  fresh: readonly ReceivedCallback[],
  machines: Map<string, string>,
): Map<string, Map<string, NameSighting>> {
  const byMachine = new Map<string, Map<string, NameSighting>>();
  const note = (kind: NameSighting['kind'], name: string, machineId: string, at: string) => {
    let sightings = byMachine.get(machineId);
    if (!sightings) byMachine.set(machineId, (sightings = new Map()));
    const key = `${kind}\u0001${name}`;
    const before = sightings.get(key);
    if (!before || Date.parse(before.at) < Date.parse(at))
      sightings.set(key, { kind, name, machineId, at });
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
  return byMachine;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
