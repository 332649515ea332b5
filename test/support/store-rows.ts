/** Every row of a store, in a form two stores of either kind can be compared by. */
import type { Queryable } from '../../src/store/store.js';
import { storeTables } from '../../src/store/table-copy.js';

/** Each table's rows as JSON text, sorted: dates as instants, bytes and jsonb as values. */
export async function allRows(db: Queryable): Promise<Record<string, string[]>> {
  const rows: Record<string, string[]> = {};
  for (const table of await storeTables(db)) {
    const found = await db.query(`SELECT ${table.columns.join(', ')} FROM ${table.name}`);
    rows[table.name] = found.map((row) => JSON.stringify(row, bytesAsHex)).sort();
  }
  return rows;
}

// The embedded store hands bytes back as Uint8Array, the server's driver as Buffer.
function bytesAsHex(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  return raw instanceof Uint8Array ? `\\x${Buffer.from(raw).toString('hex')}` : value;
}

/** Each table's row count. */
export async function tableSizes(db: Queryable): Promise<Record<string, number>> {
  const all = await allRows(db);
  return Object.fromEntries(Object.entries(all).map(([name, rows]) => [name, rows.length]));
}
