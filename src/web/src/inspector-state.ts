/**
 * An inspector's state as address parameters. Several inspectors can share one page: each
 * reads and writes only the parameters under its prefix (`conn.q`, `conn.sort`), and every
 * parameter that is not a reserved one is a field filter the list API takes as it is.
 */

/** Parameters with a meaning of their own; every other one is a field filter. */
const RESERVED = new Set(['q', 'sort', 'order', 'after']);
/** Page parameters that belong to the page, not to any inspector on it. */
const PAGE_PARAMS = new Set(['range', 'from', 'to']);

export interface InspectorState {
  q: string;
  sort: string;
  order: 'asc' | 'desc';
  after: string;
  filters: Record<string, string>;
}

/** Reads the state under `prefix` from the page's parameters. */
export function readInspectorState(params: URLSearchParams, prefix: string): InspectorState {
  const state: InspectorState = { q: '', sort: '', order: 'asc', after: '', filters: {} };
  for (const [fullKey, value] of params) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    if (PAGE_PARAMS.has(key) || key.includes('.')) continue;
    if (key === 'q') state.q = value;
    else if (key === 'sort') state.sort = value;
    else if (key === 'order') state.order = value === 'desc' ? 'desc' : 'asc';
    else if (key === 'after') state.after = value;
    else if (!RESERVED.has(key)) state.filters[key] = value;
  }
  return state;
}

/** The state as the list API's query (filters, search, sort, cursor), without the page's. */
export function apiParams(state: InspectorState, fixed: Record<string, string>) {
  const params = new URLSearchParams({ ...state.filters, ...fixed });
  if (state.q !== '') params.set('q', state.q);
  if (state.sort !== '') {
    params.set('sort', state.sort);
    params.set('order', state.order);
  }
  if (state.after !== '') params.set('after', state.after);
  return params;
}

/** The filter part of the state, as a saved filter keeps it (no cursor). */
export function savableParams(state: InspectorState): Record<string, string> {
  const params = apiParams({ ...state, after: '' }, {});
  return Object.fromEntries(params);
}

/**
 * The changes that turn the page's parameters under `prefix` into `next`: each key set to its
 * new value, and every key the inspector had and `next` lacks set to '' (removed).
 */
export function stateChange(
  params: URLSearchParams,
  prefix: string,
  next: Record<string, string>,
): Record<string, string> {
  const change: Record<string, string> = {};
  for (const fullKey of params.keys()) {
    const key = fullKey.slice(prefix.length);
    if (fullKey.startsWith(prefix) && !PAGE_PARAMS.has(key) && !key.includes('.')) {
      change[fullKey] = '';
    }
  }
  for (const [key, value] of Object.entries(next)) change[prefix + key] = value;
  return change;
}
