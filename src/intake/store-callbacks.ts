import { classifyStoreError } from '../store/store-errors.js';
import type { Queryable, Store, Transaction } from '../store/store.js';
import { callbackRowText, joinCallbackRows, type CallbackRowText } from './callback-rows.js';
import type { ReceivedCallback } from './callback-tables.js';
import { updateInventory } from './inventory-updates.js';
import { machinesOfAgents, updateLatest } from './machine-updates.js';
import { recordNames, WrittenNames } from './name-updates.js';
import { upsertUsers } from './user-updates.js';

export type { ReceivedCallback } from './callback-tables.js';

/** How often a batch that lost a race with another writer is tried again at once: 5 times. */
const maxConflictRetries = 5;

// What each store's intake in this process last wrote to the names dictionary, per machine.
const writtenNames = new WeakMap<Store, WrittenNames>();

/** What became of one batch: per callback, stored now or already there. */
export interface BatchOutcome {
  stored: number;
  duplicates: number;
  /** Rows written, all tables together. */
  rows: number;
  callbacks: Array<{ callbackId: string; status: 'stored' | 'duplicate'; machineId: string }>;
}

/** A callback's machine and COPY lines, worked out before the transaction that stores it. */
export interface PreparedCallback extends CallbackRowText {
  machineId: string;
}

/** Callbacks of a batch prepared ahead, by the very objects the batch holds. */
export type PreparedCallbacks = ReadonlyMap<ReceivedCallback, PreparedCallback>;

/**
 * Does ahead of the transaction what needs no transaction: finds or creates each agent's
 * machine (committed at once, as a first callback would create it anyway) and builds every
 * callback's COPY lines. A drainer prepares its next batch this way while the store is still
 * committing the one before. Duplicates are sorted out only by `storeCallbacks`.
 */
export async function prepareCallbacks(
  store: Queryable,
  batch: readonly ReceivedCallback[],
  nowMillis: () => number = Date.now,
): Promise<PreparedCallbacks> {
  const machines = await machinesOfAgents(store, batch);
  const now = nowMillis();
  return new Map(
    batch.map((item) => {
      const machineId = machines.get(item.agentId)!;
      return [item, { machineId, ...callbackRowText(item, machineId, now) }];
    }),
  );
}

/**
 * Stores a batch of callbacks in one transaction, all of it or nothing, loading the rows with
 * COPY. The callback id makes a second delivery a no-op: callbacks already stored, and repeats
 * inside the batch, are reported as duplicates and written nowhere. The hub's direct intake
 * and the collectors' drainers both come here; `prepared` (from `prepareCallbacks`, for some
 * or all of the batch) spares the transaction that work.
 */
export async function storeCallbacks(
  store: Store,
  batch: readonly ReceivedCallback[],
  nowMillis: () => number = Date.now,
  prepared: PreparedCallbacks = new Map(),
): Promise<BatchOutcome> {
  let written = writtenNames.get(store);
  if (!written) writtenNames.set(store, (written = new WrittenNames()));
  for (let attempt = 0; ; attempt++) {
    try {
      const { outcome, afterCommit } = await store.transaction((tx) =>
        storeInTransaction(tx, batch, nowMillis(), prepared, written),
      );
      afterCommit();
      return outcome;
    } catch (error) {
      // Two writers that took the same callback (a pair of collectors, or an agent that
      // resent after a timeout) race on its key; the loser finds it stored on the next try.
      if (classifyStoreError(error) !== 'conflict' || attempt >= maxConflictRetries) throw error;
    }
  }
}

async function storeInTransaction(
  tx: Transaction,
  batch: readonly ReceivedCallback[],
  nowMillis: number,
  prepared: PreparedCallbacks,
  written: WrittenNames,
): Promise<{ outcome: BatchOutcome; afterCommit: () => void }> {
  const nothing = () => undefined;
  if (batch.length === 0) {
    return { outcome: { stored: 0, duplicates: 0, rows: 0, callbacks: [] }, afterCommit: nothing };
  }
  const machines = batch.every((item) => prepared.has(item))
    ? new Map(batch.map((item) => [item.agentId, prepared.get(item)!.machineId]))
    : await machinesOfAgents(tx, batch);
  const known = await tx.query<{ callback_id: string }>(
    'SELECT callback_id FROM callbacks WHERE callback_id = ANY($1::uuid[])',
    [batch.map((item) => item.callback.callbackId)],
  );
  const seen = new Set(known.map((row) => row.callback_id));
  const fresh: ReceivedCallback[] = [];
  const callbacks: BatchOutcome['callbacks'] = [];
  for (const item of batch) {
    const callbackId = item.callback.callbackId;
    const status = seen.has(callbackId) ? 'duplicate' : 'stored';
    callbacks.push({ callbackId, status, machineId: machines.get(item.agentId)! });
    if (status === 'stored') fresh.push(item);
    seen.add(callbackId);
  }
  if (fresh.length === 0) {
    return {
      outcome: { stored: 0, duplicates: batch.length, rows: 0, callbacks },
      afterCommit: nothing,
    };
  }

  let rows = 0;
  const lines = fresh.map(
    (item) => prepared.get(item) ?? callbackRowText(item, machines.get(item.agentId)!, nowMillis),
  );
  for (const table of joinCallbackRows(lines)) {
    await tx.copyFrom(table.table, table.columns, table.text);
    rows += table.count;
  }
  await updateLatest(tx, fresh, machines);
  await upsertUsers(tx, fresh, machines);
  await updateInventory(tx, fresh, machines);
  // Remembered only once committed: a batch rolled back must write its names next time.
  const afterCommit = await recordNames(tx, fresh, machines, written, nowMillis);
  // Each agent's newest version in the batch; sorted, so writers lock rows in one order.
  const versions = new Map<string, string>();
  for (const item of fresh) versions.set(item.agentId, item.callback.agentVersion);
  const agents = [...versions.keys()].sort();
  await tx.query(
    `UPDATE components c SET last_seen_at = now(), agent_version = v.version
     FROM unnest($1::uuid[], $2::text[]) AS v(id, version) WHERE c.id = v.id`,
    [agents, agents.map((agent) => versions.get(agent)!)],
  );
  const outcome = {
    stored: fresh.length,
    duplicates: batch.length - fresh.length,
    rows,
    callbacks,
  };
  return { outcome, afterCommit };
}
