import { createHash } from 'node:crypto';
import { advisoryLocks } from '../store/advisory-locks.js';
import type { Queryable, Store } from '../store/store.js';

/** One administrative action or system event. */
export interface ChangeLogEntry {
  actor: string; // 'person:admin', 'token:<id>', 'system', 'console'
  action: string; // 'activation_token.create', 'component.activate', ...
  subject?: string;
  detail?: Record<string, unknown>;
}

/** An entry as the store keeps it. */
export interface ChangeLogRow {
  id: string; // bigint, as text
  at: Date;
  actor: string;
  action: string;
  subject: string;
  detail: Record<string, unknown>;
  prev_hash: Buffer | null;
  hash: Buffer | null;
}

/** The hash the first entry chains to: 32 zero bytes. */
export const chainStart = Buffer.alloc(32);

/**
 * Appends an entry to the hash chain. Callers pass their transaction so the entry and the
 * change land together; given the store itself, the entry gets a transaction of its own.
 * Writers queue on a transaction lock, so the chain has one head.
 */
export async function recordChange(db: Queryable | Store, entry: ChangeLogEntry): Promise<void> {
  if ('transaction' in db) return db.transaction((tx) => appendEntry(tx, entry));
  return appendEntry(db, entry);
}

async function appendEntry(tx: Queryable, entry: ChangeLogEntry): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [advisoryLocks.changeLogChain]);
  const head = await sealOlderEntries(tx);
  const row = {
    at: new Date(),
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject ?? '',
    // As the store will hand it back: dates as text, undefined fields gone.
    detail: JSON.parse(JSON.stringify(entry.detail ?? {})) as Record<string, unknown>,
  };
  const hash = entryHash(head, row);
  await tx.query(
    `INSERT INTO change_log (at, actor, action, subject, detail, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [row.at, row.actor, row.action, row.subject, JSON.stringify(row.detail), head, hash],
  );
}

/** The SHA-256 of an entry chained to the one before it, over a canonical form of its fields. */
export function entryHash(
  prevHash: Buffer,
  row: Pick<ChangeLogRow, 'at' | 'actor' | 'action' | 'subject' | 'detail'>,
): Buffer {
  const fields = [row.at.toISOString(), row.actor, row.action, row.subject, canonical(row.detail)];
  return createHash('sha256').update(prevHash).update(JSON.stringify(fields)).digest();
}

// The store hands jsonb back with its keys in its own order: hash a form that ignores order.
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    const parts = keys.map((key) => {
      const inner = (value as Record<string, unknown>)[key];
      return `${JSON.stringify(key)}:${canonical(inner)}`;
    });
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

// Entries written before the chain existed (or by an older hub on the same store) get their
// hashes in id order, so the chain covers them too. Returns the head hash.
async function sealOlderEntries(db: Queryable): Promise<Buffer> {
  const unsealed = await db.query<ChangeLogRow>(
    'SELECT id, at, actor, action, subject, detail FROM change_log WHERE hash IS NULL ORDER BY id',
  );
  const before = unsealed[0]?.id;
  const [last] = await db.query<{ hash: Buffer }>(
    before === undefined
      ? 'SELECT hash FROM change_log ORDER BY id DESC LIMIT 1'
      : 'SELECT hash FROM change_log WHERE id < $1 ORDER BY id DESC LIMIT 1',
    before === undefined ? [] : [before],
  );
  let head = last?.hash ?? chainStart;
  for (const row of unsealed) {
    const hash = entryHash(head, row);
    await db.query('UPDATE change_log SET prev_hash = $2, hash = $3 WHERE id = $1', [
      row.id,
      head,
      hash,
    ]);
    head = hash;
  }
  return head;
}
