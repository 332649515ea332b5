/**
 * Reads the search API's answer into one flat list of hits with the page each leads to.
 * Hits arrive grouped by kind (users, machines, applications, processes); each names its
 * target, or carries what the target is built from.
 */
import { hashFor } from './use-hash-route';

export const SEARCH_KINDS = ['users', 'machines', 'applications', 'processes'] as const;
type Kind = (typeof SEARCH_KINDS)[number];

export interface SearchHit {
  kind: Kind;
  label: string;
  /** Extra words shown beside the label, such as the machine a process ran on. */
  detail: string;
  href: string;
}

type Raw = Record<string, unknown>;
const text = (value: unknown) =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';

/** The hits in the answer, kind by kind, with those lacking a target left out. */
export function readSearchHits(body: unknown): SearchHit[] {
  const root = (body ?? {}) as Raw;
  const groups = ((root.hits ?? root.groups ?? root) as Raw) ?? {};
  return SEARCH_KINDS.flatMap((kind) => {
    const entries = Array.isArray(groups[kind]) ? (groups[kind] as Raw[]) : [];
    return entries.flatMap((entry) => {
      const label = text(entry.label ?? entry.name ?? entry.hostname ?? entry.title);
      const href = targetOf(kind, entry, label);
      if (label === '' || href === null) return [];
      return [{ kind, label, detail: text(entry.detail ?? entry.machine ?? entry.hostname), href }];
    });
  });
}

function targetOf(kind: Kind, entry: Raw, label: string): string | null {
  const target = text(entry.link ?? entry.target ?? entry.href);
  // The hub names targets as web addresses (`#/users/…` or `/#/users/…`) or page paths.
  if (target.startsWith('#/')) return target;
  if (target.startsWith('/#/')) return target.slice(1);
  if (target.startsWith('/')) return `#${target}`;
  const id = text(entry.id);
  const machineId = text(entry.machineId ?? entry.machine_id);
  switch (kind) {
    case 'users':
      return hashFor(['users', label]);
    case 'applications':
      return hashFor(['applications', label]);
    case 'machines':
      return id === '' ? null : hashFor(['machines', id]);
    case 'processes':
      return machineId === '' ? null : hashFor(['processes', machineId, label]);
  }
}
