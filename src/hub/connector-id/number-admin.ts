import type { Queryable, Store } from '../../store/store.js';
import { recordChange } from '../change-log.js';

/** Most rows one list request returns. */
export const maxListedNumbers = 1_000;

export interface UserNumberRow {
  number: number;
  account: string;
  issued_at: Date;
  last_seen_at: Date;
}

export interface MachineNumberRow {
  number: number;
  status: 'active' | 'revoked';
  agent_id: string | null;
  agent_status: 'active' | 'revoked' | null;
  /** The machine the claiming agent reports, once its first callback is stored. */
  machine_id: string | null;
  hostname: string | null;
  issued_at: Date;
  last_seen_at: Date;
}

export function listUserNumbers(db: Queryable): Promise<UserNumberRow[]> {
  return db.query<UserNumberRow>(
    `SELECT number, account, issued_at, last_seen_at FROM connector_user_numbers
     ORDER BY account LIMIT $1`,
    [maxListedNumbers],
  );
}

export function listMachineNumbers(db: Queryable): Promise<MachineNumberRow[]> {
  return db.query<MachineNumberRow>(
    `SELECT m.number, m.status, m.agent_id, c.status AS agent_status,
       h.id AS machine_id, h.hostname, m.issued_at, m.last_seen_at
     FROM connector_machine_numbers m LEFT JOIN components c ON c.id = m.agent_id
       LEFT JOIN machines h ON h.agent_id = m.agent_id
     ORDER BY m.last_seen_at DESC LIMIT $1`,
    [maxListedNumbers],
  );
}

/**
 * Machine numbers whose tags collectors refuse: revoked here, or claimed last by an agent that
 * was revoked.
 */
export async function revokedMachineNumbers(db: Queryable): Promise<number[]> {
  const rows = await db.query<{ number: number }>(
    `SELECT m.number FROM connector_machine_numbers m LEFT JOIN components c ON c.id = m.agent_id
     WHERE m.status = 'revoked' OR c.status = 'revoked' ORDER BY m.number`,
  );
  return rows.map((row) => row.number);
}

/**
 * Frees a user or machine number for reuse: the only way a number ever leaves its owner.
 * Reports that named it will no longer resolve. False when no such number is issued.
 */
export async function reclaimNumber(
  store: Store,
  kind: 'user' | 'machine',
  number: number,
  actor: string,
): Promise<boolean> {
  const table = kind === 'user' ? 'connector_user_numbers' : 'connector_machine_numbers';
  return store.transaction(async (tx) => {
    const rows = await tx.query(`DELETE FROM ${table} WHERE number = $1 RETURNING number`, [
      number,
    ]);
    if (rows.length === 0) return false;
    await recordChange(tx, {
      actor,
      action: `connector_id.${kind}_number.reclaim`,
      subject: String(number),
    });
    return true;
  });
}

/** Revokes a machine number (its tags are flagged from now on), or lifts that. */
export async function setMachineNumberRevoked(
  store: Store,
  number: number,
  revoked: boolean,
  actor: string,
): Promise<boolean> {
  return store.transaction(async (tx) => {
    const rows = await tx.query(
      'UPDATE connector_machine_numbers SET status = $2 WHERE number = $1 RETURNING number',
      [number, revoked ? 'revoked' : 'active'],
    );
    if (rows.length === 0) return false;
    await recordChange(tx, {
      actor,
      action: revoked
        ? 'connector_id.machine_number.revoke'
        : 'connector_id.machine_number.restore',
      subject: String(number),
    });
    return true;
  });
}
