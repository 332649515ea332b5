import { randomUUID } from 'node:crypto';
import type { LoggedInUser } from '../protocol/callback-schema.js';
import type { Queryable } from '../store/store.js';
import type { ReceivedCallback } from './callback-tables.js';

interface Sighting {
  machineId: string;
  user: LoggedInUser;
  sampledAt: string;
}

/**
 * Records who was logged in where: each account once in `users`, and one `machine_users` row
 * per machine, account and terminal, carrying the newest sighting in the batch.
 */
export async function upsertUsers(
  tx: Queryable,
  fresh: readonly ReceivedCallback[],
  machines: Map<string, string>,
): Promise<void> {
  const sightings = new Map<string, Sighting>();
  for (const { agentId, callback } of fresh) {
    const machineId = machines.get(agentId)!;
    for (const user of callback.users) {
      // One row per key in a statement: PostgreSQL refuses to update a row twice in one.
      const key = `${machineId}\u0001${user.account}\u0001${user.terminal}`;
      const seen = sightings.get(key);
      if (!seen || Date.parse(seen.sampledAt) <= Date.parse(callback.sampledAt)) {
        sightings.set(key, { machineId, user, sampledAt: callback.sampledAt });
      }
    }
  }
  if (sightings.size === 0) return;

  // Sorted, so concurrent writers lock accounts in the same order and cannot deadlock.
  const accounts = [...new Set([...sightings.values()].map((s) => s.user.account))].sort();
  const users = await tx.query<{ id: string; account: string }>(
    `INSERT INTO users (id, account) SELECT * FROM unnest($1::uuid[], $2::text[])
     ON CONFLICT (account) DO UPDATE SET last_seen_at = now() RETURNING id, account`,
    [accounts.map(() => randomUUID()), accounts],
  );
  const userIds = new Map(users.map((row) => [row.account, row.id]));

  const rows = [...sightings.keys()].sort().map((key) => {
    const { machineId, user, sampledAt } = sightings.get(key)!;
    return {
      machine_id: machineId,
      user_id: userIds.get(user.account)!,
      terminal: user.terminal,
      from_address: user.from,
      logged_in_at: user.loggedInAt,
      last_seen_at: sampledAt,
      is_administrator: user.isAdministrator ?? null,
    };
  });
  await tx.query(
    `INSERT INTO machine_users (machine_id, user_id, terminal, from_address, logged_in_at,
       last_seen_at, is_administrator)
     SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS r(machine_id uuid, user_id uuid,
       terminal text, from_address text, logged_in_at timestamptz, last_seen_at timestamptz,
       is_administrator boolean)
     ON CONFLICT (machine_id, user_id, terminal) DO UPDATE SET
       from_address = EXCLUDED.from_address, logged_in_at = EXCLUDED.logged_in_at,
       is_administrator = COALESCE(EXCLUDED.is_administrator, machine_users.is_administrator),
       last_seen_at = GREATEST(machine_users.last_seen_at, EXCLUDED.last_seen_at)`,
    [JSON.stringify(rows)],
  );
}
