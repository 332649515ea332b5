/**
 * Saved filters: a named set of inspector parameters (search text, field filters, sort) that
 * a person keeps on the hub and applies to any list. Each belongs to the actor who saved it.
 */
import { randomUUID } from 'node:crypto';
import type { SavedFilter } from '../protocol/saved-filter.js';
import type { Store } from '../store/store.js';
import { recordChange } from './change-log.js';

/** Most filters one owner may keep; 200. */
export const maxSavedFiltersPerOwner = 200;

interface SavedFilterRow {
  id: string;
  name: string;
  list: string | null;
  params: Record<string, string>;
  created_at: Date;
}

export type SaveOutcome =
  { status: 'saved'; filter: SavedFilter } | { status: 'name_taken' } | { status: 'too_many' };

const view = (row: SavedFilterRow): SavedFilter => ({
  id: row.id,
  name: row.name,
  list: row.list,
  params: row.params,
  createdAt: new Date(row.created_at).toISOString(),
});

/** The owner's filters, by name. */
export async function listSavedFilters(store: Store, owner: string): Promise<SavedFilter[]> {
  const rows = await store.query<SavedFilterRow>(
    'SELECT id, name, list, params, created_at FROM saved_filters WHERE owner = $1 ORDER BY name',
    [owner],
  );
  return rows.map(view);
}

/** Saves a filter under a name of the owner's that is not yet taken. */
export async function saveFilter(
  store: Store,
  owner: string,
  filter: { name: string; list?: string; params: Record<string, string> },
): Promise<SaveOutcome> {
  return store.transaction(async (tx) => {
    const [count] = await tx.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM saved_filters WHERE owner = $1',
      [owner],
    );
    if ((count?.n ?? 0) >= maxSavedFiltersPerOwner) return { status: 'too_many' as const };
    const rows = await tx.query<SavedFilterRow>(
      `INSERT INTO saved_filters (id, owner, name, list, params) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (owner, name) DO NOTHING
       RETURNING id, name, list, params, created_at`,
      [randomUUID(), owner, filter.name, filter.list ?? null, JSON.stringify(filter.params)],
    );
    const row = rows[0];
    if (!row) return { status: 'name_taken' as const };
    await recordChange(tx, {
      actor: owner,
      action: 'saved_filter.create',
      subject: filter.name,
      detail: { list: filter.list ?? null, params: filter.params },
    });
    return { status: 'saved' as const, filter: view(row) };
  });
}

/** Removes one of the owner's filters; false when the owner has none with that id. */
export async function deleteSavedFilter(store: Store, owner: string, id: string) {
  return store.transaction(async (tx) => {
    const rows = await tx.query<{ name: string }>(
      'DELETE FROM saved_filters WHERE id = $1 AND owner = $2 RETURNING name',
      [id, owner],
    );
    const row = rows[0];
    if (!row) return false;
    await recordChange(tx, { actor: owner, action: 'saved_filter.delete', subject: row.name });
    return true;
  });
}
