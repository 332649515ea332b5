import type { FlowRecord } from '../../collector/network/flow-record.js';
import type { Queryable } from '../../store/store.js';
import { matchReportedConnections } from './reported-connections.js';

/** Who is behind one flow record, as far as the hub can tell. */
export interface FlowAttribution {
  machineId: string | null;
  userId: string | null;
  source: 'tag' | 'address' | null;
  /** Which end of the connection the machine is. */
  side: 'orig' | 'resp' | null;
  /** The process behind the connection, when the machine's agent reported the connection. */
  application: string | null;
}

// Addresses every machine has, or that no single machine owns: never attributed by address.
const sharedAddress = /^(127\.|0\.0\.0\.0$|169\.254\.|2(2[4-9]|3\d)\.|::1?$|fe[89ab][0-9a-f]:|ff)/i;

/**
 * Attributes flow records. A Connector ID tag names the machine (and user) directly. Without
 * one, the machine is the one whose callbacks last reported the originator's address, else
 * the responder's: the hub attributes, not the collector, because the hub holds every
 * machine's latest interfaces and so needs no address list sent to collectors and kept fresh
 * there. Then, where the machine's agent reported the connection itself, its account gives
 * the user and its process the application.
 */
export async function attributeFlows(
  db: Queryable,
  records: readonly FlowRecord[],
): Promise<FlowAttribution[]> {
  const machinesByNumber = await tagMachines(db, records);
  const usersByNumber = await tagUsers(db, records);
  const machinesByAddress = await addressMachines(db, records);

  const attributions = records.map((record): FlowAttribution => {
    const tagged = record.tag && machinesByNumber.get(record.tag.machineNumber);
    if (tagged) {
      const userId = usersByNumber.get(record.tag!.userNumber ?? -1) ?? null;
      return { machineId: tagged, userId, source: 'tag', side: 'orig', application: null };
    }
    const orig = machinesByAddress.get(record.origAddress);
    const resp = machinesByAddress.get(record.respAddress);
    const machineId = orig ?? resp ?? null;
    const side = orig ? 'orig' : resp ? 'resp' : null;
    const source = machineId ? 'address' : null;
    return { machineId, userId: null, source, side, application: null };
  });
  await matchReportedConnections(db, records, attributions);
  return attributions;
}

async function tagMachines(db: Queryable, records: readonly FlowRecord[]) {
  const numbers = unique(records.map((r) => r.tag?.machineNumber));
  if (numbers.length === 0) return new Map<number, string>();
  const rows = await db.query<{ number: number; id: string }>(
    `SELECT n.number, m.id FROM connector_machine_numbers n
       JOIN machines m ON m.agent_id = n.agent_id
     WHERE n.number = ANY($1::integer[]) AND n.status = 'active'`,
    [numbers],
  );
  return new Map(rows.map((row) => [row.number, row.id]));
}

async function tagUsers(db: Queryable, records: readonly FlowRecord[]) {
  const numbers = unique(records.map((r) => r.tag?.userNumber));
  if (numbers.length === 0) return new Map<number, string>();
  const rows = await db.query<{ number: number; id: string }>(
    `SELECT n.number, u.id FROM connector_user_numbers n JOIN users u ON u.account = n.account
     WHERE n.number = ANY($1::integer[])`,
    [numbers],
  );
  return new Map(rows.map((row) => [row.number, row.id]));
}

/** The machine whose latest callback lists each address; the most recent one wins. */
async function addressMachines(db: Queryable, records: readonly FlowRecord[]) {
  const addresses = unique(
    records
      .filter((r) => r.tag === undefined)
      .flatMap((r) => [r.origAddress, r.respAddress])
      .filter((address) => !sharedAddress.test(address)),
  );
  const found = new Map<string, string>();
  if (addresses.length === 0) return found;
  // Not yet: an index of addresses kept by callback intake; this reads every machine's
  // latest interfaces, once per batch (a batch a minute per collector).
  const rows = await db.query<{ address: string; id: string }>(
    `SELECT a.address, m.id FROM machines m
       CROSS JOIN LATERAL jsonb_array_elements(coalesce(m.latest_sample->'interfaces', '[]')) i
       CROSS JOIN LATERAL jsonb_array_elements_text(
         coalesce(i->'ipv4', '[]') || coalesce(i->'ipv6', '[]')) a(address)
     WHERE a.address = ANY($1::text[])
     ORDER BY m.latest_sampled_at DESC NULLS LAST`,
    [addresses],
  );
  for (const row of rows) if (!found.has(row.address)) found.set(row.address, row.id);
  return found;
}

function unique<T>(values: (T | undefined)[]): T[] {
  return [...new Set(values.filter((value): value is T => value !== undefined))];
}
