/**
 * Who is signed in. The hub keeps the session in an HttpOnly cookie that scripts cannot
 * read, so the only way to know is to ask `GET /session`.
 */
import { useCallback, useEffect, useState } from 'react';
import { api } from './api';
import type { SessionUser } from './api-types';

export type SessionState =
  | { kind: 'checking' }
  | { kind: 'signed-out' }
  | { kind: 'signed-in'; user: SessionUser }
  | { kind: 'unreachable'; message: string };

export interface Session {
  state: SessionState;
  /** Asks the hub again, for instance after the password changed. */
  refresh: () => Promise<void>;
  /** Records a user the hub just accepted, without asking again. */
  signedIn: (user: SessionUser) => void;
  /** Drops back to the sign-in page; pages call it when the hub answers 401. */
  lost: () => void;
}

/** Checks the session once on start and exposes ways to change it. */
export function useSession(): Session {
  const [state, setState] = useState<SessionState>({ kind: 'checking' });

  const refresh = useCallback(async () => {
    const result = await api.getSession();
    if (result.kind === 'ok') setState({ kind: 'signed-in', user: result.value.user });
    else if (result.status === 401) setState({ kind: 'signed-out' });
    else setState({ kind: 'unreachable', message: result.message });
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const signedIn = useCallback((user: SessionUser) => setState({ kind: 'signed-in', user }), []);
  const lost = useCallback(() => setState({ kind: 'signed-out' }), []);

  return { state, refresh, signedIn, lost };
}
