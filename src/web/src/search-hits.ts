/**
 * Reads the search API's answer (hits grouped by kind, each with its target) into one flat
 * list with the page each hit leads to.
 */
import { hashFor } from './use-hash-route';

export type HitKind = 'machine' | 'user' | 'application' | 'process';

export interface SearchHit {
  kind: HitKind;
  label: string;
  /** A second line: a machine's full name, a name's machine count. */
  detail: string;
  href: string;
}

/** `GET /search` as the hub answers it. */
export interface SearchBody {
  groups: Array<{
    kind: HitKind;
    label: string;
    hits: Array<{
      name: string;
      detail: string;
      target: { kind: HitKind; id?: string; name?: string };
    }>;
  }>;
}

/** The hits, group by group, each with where it leads. */
export function readSearchHits(body: SearchBody): SearchHit[] {
  return body.groups.flatMap((group) =>
    group.hits.map((hit) => ({
      kind: group.kind,
      label: hit.name,
      detail: hit.detail,
      href: targetHash(hit.target),
    })),
  );
}

function targetHash(target: SearchBody['groups'][number]['hits'][number]['target']): string {
  switch (target.kind) {
    case 'machine':
      return hashFor(['machines', target.id ?? '']);
    case 'user':
      return hashFor(['users', target.name ?? '']);
    case 'application':
      return hashFor(['applications', target.name ?? '']);
    case 'process':
      // A process name runs on many machines; its hit opens the process list searched for it.
      return hashFor(['processes'], { q: target.name ?? '' });
  }
}
