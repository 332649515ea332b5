import type { Queryable, SqlParam } from '../store/store.js';
import { chainStart, entryHash, type ChangeLogRow } from './change-log.js';

/** Entries read per query while the chain is checked: 1,000. */
const verifyPageEntries = 1_000;
/** Most entries one list request returns: 1,000; the default is 100. */
export const maxListedEntries = 1_000;

export type ChainCheck =
  | { status: 'intact'; entries: number; headHash: string | null; unsealed: number }
  | { status: 'broken'; entries: number; firstBadId: string; reason: string };

/**
 * Walks the whole change log in order and recomputes every hash. An entry edited, removed or
 * inserted out of turn breaks the chain at that point. Entries not sealed yet (written by an
 * older hub) end the walk and are counted: the next recorded change seals them.
 */
export async function verifyChangeLog(db: Queryable): Promise<ChainCheck> {
  let head: Buffer = chainStart;
  let entries = 0;
  let afterId = '0';
  for (;;) {
    const page = await db.query<ChangeLogRow>(
      `SELECT id::text AS id, at, actor, action, subject, detail, prev_hash, hash
       FROM change_log WHERE id > $1 ORDER BY change_log.id LIMIT $2`,
      [afterId, verifyPageEntries],
    );
    for (const row of page) {
      if (row.hash === null) return intactWithUnsealed(db, entries, head, row.id);
      const prev = Buffer.from(row.prev_hash ?? []);
      if (!prev.equals(head)) return broken(entries, row.id, 'it does not follow the entry before');
      const expected = entryHash(head, row);
      if (!expected.equals(Buffer.from(row.hash))) return broken(entries, row.id, 'it was altered');
      head = expected;
      entries++;
    }
    if (page.length < verifyPageEntries) break;
    afterId = page[page.length - 1]!.id;
  }
  return { status: 'intact', entries, headHash: hex(head, entries), unsealed: 0 };
}

async function intactWithUnsealed(
  db: Queryable,
  entries: number,
  head: Buffer,
  fromId: string,
): Promise<ChainCheck> {
  const [row] = await db.query<{ n: number; sealed: number }>(
    `SELECT count(*)::int AS n, count(hash)::int AS sealed FROM change_log WHERE id >= $1`,
    [fromId],
  );
  // A sealed entry after an unsealed one cannot come from the product: someone put it there.
  if (row!.sealed > 0) return broken(entries, fromId, 'an entry without a hash is followed');
  return { status: 'intact', entries, headHash: hex(head, entries), unsealed: row!.n };
}

function broken(entries: number, firstBadId: string, reason: string): ChainCheck {
  return { status: 'broken', entries, firstBadId, reason: `entry ${firstBadId}: ${reason}` };
}

function hex(head: Buffer, entries: number): string | null {
  return entries === 0 ? null : head.toString('hex');
}

/** Which entries a list asks for; every field is optional. */
export interface ChangeLogFilter {
  /** Exact actor, e.g. 'person:admin' or 'console'. */
  actor?: string;
  /** An action, or a prefix of one ending in '.', e.g. 'connector_id.'. */
  action?: string;
  subject?: string;
  from?: Date;
  to?: Date;
  /** Entries older than this id: the next page after a list that ended there. */
  beforeId?: string;
  limit?: number;
}

/** Entries newest first, filtered, with their hashes in hex. */
export async function listChangeLog(db: Queryable, filter: ChangeLogFilter) {
  const where: string[] = [];
  const values: SqlParam[] = [];
  const add = (sql: string, value: SqlParam) => {
    values.push(value);
    where.push(sql.replace('?', `$${values.length}`));
  };
  if (filter.actor !== undefined) add('actor = ?', filter.actor);
  if (filter.action?.endsWith('.'))
    add("action LIKE ? || '%'", filter.action.replace(/[%_]/g, '\\$&'));
  else if (filter.action !== undefined) add('action = ?', filter.action);
  if (filter.subject !== undefined) add('subject = ?', filter.subject);
  if (filter.from !== undefined) add('at >= ?', filter.from);
  if (filter.to !== undefined) add('at < ?', filter.to);
  if (filter.beforeId !== undefined) add('id < ?', filter.beforeId);
  values.push(Math.min(filter.limit ?? 100, maxListedEntries));
  const rows = await db.query<ChangeLogRow>(
    `SELECT id::text AS id, at, actor, action, subject, detail, prev_hash, hash FROM change_log
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY change_log.id DESC LIMIT $${values.length}`,
    values,
  );
  return rows.map((row) => ({
    id: row.id,
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    detail: row.detail,
    hash: row.hash === null ? null : Buffer.from(row.hash).toString('hex'),
  }));
}
