/**
 * The practical ceiling for intake: the same rows, loaded with plain COPY into the same
 * tables, in transactions of the same size, by one connection with nothing else to do.
 */
import { randomUUID } from 'node:crypto';
import { callbackRows } from '../src/intake/callback-rows.js';
import type { Store } from '../src/store/store.js';
import { realisticCallback, realisticRowsPerCallback } from '../test/support/realistic-callback.js';

/** Loads `callbacks` callbacks' rows in batches; returns rows per second of COPY time. */
export async function plainCopyRowsPerSecond(
  store: Store,
  agentId: string,
  callbacks: number,
  batchCallbacks: number,
): Promise<{ rows: number; seconds: number; rowsPerSecond: number }> {
  const machineId = randomUUID();
  await store.query(
    `INSERT INTO machines (id, agent_id, hostname, fqdn) VALUES ($1, $2, 'plain-copy', 'plain-copy')
     ON CONFLICT (agent_id) DO NOTHING`,
    [machineId, agentId],
  );
  const [machine] = await store.query<{ id: string }>(
    'SELECT id FROM machines WHERE agent_id = $1',
    [agentId],
  );
  let copyMillis = 0;
  for (let done = 0; done < callbacks; done += batchCallbacks) {
    const batch = Array.from({ length: Math.min(batchCallbacks, callbacks - done) }, () => ({
      agentId,
      callback: realisticCallback('plain-copy'),
    }));
    const tables = callbackRows(batch, () => machine!.id, Date.now());
    const started = performance.now();
    await store.transaction(async (tx) => {
      for (const table of tables) await tx.copyFrom(table.table, table.columns, table.text);
    });
    copyMillis += performance.now() - started;
  }
  const rows = callbacks * realisticRowsPerCallback;
  return { rows, seconds: copyMillis / 1_000, rowsPerSecond: rows / (copyMillis / 1_000) };
}
