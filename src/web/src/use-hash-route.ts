/**
 * Routing by the part of the address after `#`, so the hub serves one index.html for every
 * page and a reload lands on the same page. A page's state (filters, sort, page cursor, time
 * range) rides in the hash's query, `#/processes?q=excel&sort=cpu`, so a link shares it and
 * the browser's back button undoes it.
 */
import { useEffect, useState } from 'react';
import { queryString } from './query-string';

/** The lists the inspector pages show, in navigation order. */
export const LIST_PAGES = [
  'machines',
  'users',
  'applications',
  'processes',
  'logons',
  'connections',
  'destinations',
] as const;
export type ListName = (typeof LIST_PAGES)[number];

/** Sections of the Administration pages. */
export const ADMIN_SECTIONS = [
  'collectors',
  'agents',
  'tokens',
  'people',
  'change-log',
  'policies',
  'settings',
] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];

export type Route = (
  | { page: 'overview' }
  | { page: 'list'; list: ListName }
  | { page: 'machine'; id: string }
  | { page: 'user'; name: string }
  | { page: 'application'; name: string }
  | { page: 'process'; machine: string; pid: string }
  | { page: 'destination'; address: string }
  | { page: 'admin'; section: AdminSection }
  | { page: 'password' }
  | { page: 'connector-id' }
  | { page: 'not-found'; path: string }
) & { params: URLSearchParams };

/** Where an empty address (`/` or `/#`) goes. */
export const HOME_HASH = '#/overview';

/** Reads a route from a hash such as `#/machines/3f2a…?range=day`. */
export function parseHash(hash: string): Route {
  const whole = hash.replace(/^#/, '') || HOME_HASH.slice(1);
  const [path = '', query = ''] = whole.split('?', 2);
  const params = new URLSearchParams(query);
  let parts: string[];
  try {
    parts = path
      .split('/')
      .filter((part) => part !== '')
      .map((part) => decodeURIComponent(part));
  } catch {
    // A broken escape (%E0%A4%A) is an address nobody made: the page that says so.
    return { page: 'not-found', path, params };
  }
  return { ...routeOf(parts, path), params };
}

type Bare<T> = T extends unknown ? Omit<T, 'params'> : never;

function routeOf(parts: string[], path: string): Bare<Route> {
  const [first = '', second, third] = parts;
  if (parts.length === 1) {
    if (first === 'overview') return { page: 'overview' };
    if (first === 'password') return { page: 'password' };
    if (first === 'connector-id') return { page: 'connector-id' };
    if (first === 'admin') return { page: 'admin', section: 'collectors' };
    if (isListName(first)) return { page: 'list', list: first };
  }
  if (parts.length === 2 && second !== undefined) {
    if (first === 'machines') return { page: 'machine', id: second };
    if (first === 'users') return { page: 'user', name: second };
    if (first === 'applications') return { page: 'application', name: second };
    if (first === 'destinations') return { page: 'destination', address: second };
    if (first === 'admin' && isAdminSection(second)) return { page: 'admin', section: second };
  }
  if (parts.length === 3 && first === 'processes' && second !== undefined && third !== undefined) {
    return { page: 'process', machine: second, pid: third };
  }
  return { page: 'not-found', path };
}

function isListName(text: string): text is ListName {
  return (LIST_PAGES as readonly string[]).includes(text);
}

function isAdminSection(text: string): text is AdminSection {
  return (ADMIN_SECTIONS as readonly string[]).includes(text);
}

/** Builds `#/a/b?x=1` from path parts (each encoded) and parameters (empty ones dropped). */
export function hashFor(parts: string[], params?: Record<string, string> | URLSearchParams) {
  const path = parts.map((part) => encodeURIComponent(part)).join('/');
  return `#/${path}${queryString(params)}`;
}

/** The current hash with some parameters changed; an empty value removes one. */
export function withParams(route: Route, change: Record<string, string>): string {
  const params = new URLSearchParams(route.params);
  for (const [key, value] of Object.entries(change)) {
    if (value === '') params.delete(key);
    else params.set(key, value);
  }
  const path = window.location.hash.replace(/^#\/?/, '').split('?', 2)[0] ?? '';
  return `#/${path}${queryString(params)}`;
}

/** Goes to `hash` as a new history entry, so back returns to where the person was. */
export function navigate(hash: string): void {
  if (window.location.hash !== hash) window.location.hash = hash;
}

/** The Connector ID page: numbers, their state, and the tagging policy. */
export const CONNECTOR_ID_HASH = '#/connector-id';

/** The hash that shows one machine's page. */
export function machineHash(id: string): string {
  return hashFor(['machines', id]);
}

/** The current route; re-renders when the address changes. */
export function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));

  useEffect(() => {
    const onChange = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);

  return route;
}
