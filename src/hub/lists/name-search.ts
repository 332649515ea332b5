import type { Queryable } from '../../store/store.js';

/** What a hit leads to: a machine by id, the others by name. */
export type SearchTarget =
  | { kind: 'machine'; id: string }
  | { kind: 'user'; name: string }
  | { kind: 'application'; name: string }
  | { kind: 'process'; name: string };

export interface SearchHit {
  name: string;
  /** A second line: a machine's full name, a name's machine count. */
  detail: string;
  target: SearchTarget;
}

interface HitRow {
  kind: 'machine' | 'user' | 'application' | 'process';
  id: string;
  name: string;
  detail: string;
  machines: number | null;
}

const groups = [
  { kind: 'machine', label: 'Machines' },
  { kind: 'user', label: 'Users' },
  { kind: 'application', label: 'Applications' },
  { kind: 'process', label: 'Processes' },
] as const;

/**
 * Users, machines, applications and processes whose name holds `q` (any case), up to `limit`
 * of each kind: exact names first, then names that start with it, then shorter names.
 * Applications and processes come from the names dictionary intake keeps, never from the
 * time series; with pg_trgm each part is a trigram index look-up.
 */
export async function searchNames(db: Queryable, q: string, limit: number) {
  const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rank = (column: string) =>
    `lower(${column}) = lower($2) DESC, starts_with(lower(${column}), lower($2)) DESC,
     length(${column}), ${column}`;
  const rows = await db.query<HitRow>(
    `(SELECT 'machine' AS kind, id::text AS id, hostname AS name, fqdn AS detail,
        NULL::int AS machines
      FROM machines WHERE hostname ILIKE $1 OR fqdn ILIKE $1
      ORDER BY ${rank('hostname')}, id LIMIT $3)
     UNION ALL
     (SELECT 'user', id::text, account, '', NULL FROM users WHERE account ILIKE $1
      ORDER BY ${rank('account')} LIMIT $3)
     UNION ALL
     (SELECT 'application', name, name, '', machine_count FROM known_names
      WHERE kind = 'application' AND name ILIKE $1 ORDER BY ${rank('name')} LIMIT $3)
     UNION ALL
     (SELECT 'process', name, name, '', machine_count FROM known_names
      WHERE kind = 'process' AND name ILIKE $1 ORDER BY ${rank('name')} LIMIT $3)`,
    [pattern, q, limit],
  );
  return {
    q,
    groups: groups.map(({ kind, label }) => ({
      kind,
      label,
      hits: rows.filter((row) => row.kind === kind).map(toHit),
    })),
  };
}

function toHit(row: HitRow): SearchHit {
  const target: SearchTarget =
    row.kind === 'machine' ? { kind: 'machine', id: row.id } : { kind: row.kind, name: row.name };
  const detail =
    row.machines === null
      ? row.detail
      : `on ${row.machines} machine${row.machines === 1 ? '' : 's'}`;
  return { name: row.name, detail, target };
}
