/**
 * Routing by the part of the address after `#`, so the hub serves one index.html for every
 * page and a reload lands on the same page.
 */
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'machines' }
  | { page: 'machine'; id: string }
  | { page: 'password' }
  | { page: 'connector-id' }
  | { page: 'not-found'; path: string };

/** Where an empty address (`/` or `/#`) goes. */
export const HOME_HASH = '#/machines';

/** Reads a route from a hash such as `#/machines/3f2a…`. */
export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '') || HOME_HASH.slice(1);
  const parts = path.split('/').filter((part) => part !== '');

  if (parts.length === 1 && parts[0] === 'machines') return { page: 'machines' };
  if (parts.length === 2 && parts[0] === 'machines') {
    return { page: 'machine', id: decodeURIComponent(parts[1] ?? '') };
  }
  if (parts.length === 1 && parts[0] === 'password') return { page: 'password' };
  if (parts.length === 1 && parts[0] === 'connector-id') return { page: 'connector-id' };
  return { page: 'not-found', path };
}

/** The Connector ID page: numbers, their state, and the tagging policy. */
export const CONNECTOR_ID_HASH = '#/connector-id';

/** The hash that shows one machine's page. */
export function machineHash(id: string): string {
  return `#/machines/${encodeURIComponent(id)}`;
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
