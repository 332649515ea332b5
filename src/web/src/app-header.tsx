/**
 * The top of every signed-in page: product name, navigation, search, the user, sign-out, and, while
 * the user still has a password someone else set, a banner asking them to choose their own.
 */
import { useState } from 'react';
import { api } from './api';
import type { SessionUser } from './api-types';
import { LIST_TITLES } from './list-page';
import { SearchBox } from './search-box';
import { CONNECTOR_ID_HASH, HOME_HASH, LIST_PAGES, type Route } from './use-hash-route';

const PASSWORD_HASH = '#/password';

interface AppHeaderProps {
  user: SessionUser;
  route: Route;
  showPasswordBanner: boolean;
  onSignedOut: () => void;
}

export function AppHeader({ user, route, showPasswordBanner, onSignedOut }: AppHeaderProps) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const signOut = async () => {
    setBusy(true);
    const result = await api.signOut();
    setBusy(false);
    // 401 means the session had already ended, which is what signing out wants anyway.
    if (result.kind === 'ok' || result.status === 401) onSignedOut();
    else setError(`Sign-out failed: ${result.message}`);
  };

  return (
    <header>
      <div className="app-header">
        <a className="brand" href={HOME_HASH}>
          Strata
        </a>
        <nav aria-label="Main">
          <NavLink href={HOME_HASH} current={route.page === 'overview'}>
            Overview
          </NavLink>
          {LIST_PAGES.map((list) => (
            <NavLink key={list} href={`#/${list}`} current={sectionOf(route) === list}>
              {LIST_TITLES[list]}
            </NavLink>
          ))}
          <NavLink href="#/admin" current={route.page === 'admin'}>
            Administration
          </NavLink>
          <NavLink href={CONNECTOR_ID_HASH} current={route.page === 'connector-id'}>
            Connector ID
          </NavLink>
        </nav>
        <SearchBox />
        <div className="account">
          {error !== null && (
            <span role="alert" className="error">
              {error}
            </span>
          )}
          <span className="account-name" title={`Role: ${user.role}`}>
            {user.name}
          </span>
          <a href={PASSWORD_HASH}>Change password</a>
          <button type="button" onClick={() => void signOut()} disabled={busy}>
            Sign out
          </button>
        </div>
      </div>
      {showPasswordBanner && (
        // The first administrator's password, or one reset from the console, is known to
        // whoever set it; the banner stays until the user picks one only they know.
        <div className="banner" role="region" aria-label="Password change required">
          <strong>Choose your own password.</strong>{' '}
          <span>The one you signed in with was set for you.</span>{' '}
          <a href={PASSWORD_HASH}>Change your password now</a>
        </div>
      )}
    </header>
  );
}

function NavLink(props: { href: string; current: boolean; children: string }) {
  return (
    <a href={props.href} aria-current={props.current ? 'page' : undefined}>
      {props.children}
    </a>
  );
}

/** The list a page belongs to, so the navigation marks Machines on a machine's page too. */
function sectionOf(route: Route): string | null {
  switch (route.page) {
    case 'list':
      return route.list;
    case 'machine':
      return 'machines';
    case 'user':
      return 'users';
    case 'application':
      return 'applications';
    case 'process':
      return 'processes';
    case 'destination':
      return 'destinations';
    default:
      return null;
  }
}
