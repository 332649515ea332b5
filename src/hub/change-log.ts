import type { Queryable } from '../store/store.js';

/** One administrative action or system event. */
export interface ChangeLogEntry {
  actor: string; // 'person:admin', 'token:<id>', 'system', 'console'
  action: string; // 'activation_token.create', 'component.activate', ...
  subject?: string;
  detail?: Record<string, unknown>;
}

/** Appends an entry; callers pass their transaction so the entry and the change land together. */
export async function recordChange(db: Queryable, entry: ChangeLogEntry): Promise<void> {
  await db.query(
    'INSERT INTO change_log (actor, action, subject, detail) VALUES ($1, $2, $3, $4)',
    [entry.actor, entry.action, entry.subject ?? '', JSON.stringify(entry.detail ?? {})],
  );
}
