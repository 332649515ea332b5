/** The first thing anyone sees: name and password, and a plain message when they are wrong. */
import { type FormEvent, useState } from 'react';
import { api } from './api';
import type { SessionUser } from './api-types';

interface SignInPageProps {
  onSignedIn: (user: SessionUser) => void;
}

export function SignInPage({ onSignedIn }: SignInPageProps) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);

    const result = await api.signIn(name.trim(), password);
    setBusy(false);
    if (result.kind === 'ok') {
      onSignedIn(result.value.user);
      return;
    }

    // Never say which of the two was wrong: that would tell a guesser which names exist.
    setPassword('');
    setError(
      result.code === 'bad_credentials'
        ? 'The name or password is not right. Check both and try again.'
        : `Could not sign in: ${result.message}`,
    );
  };

  return (
    <main className="sign-in">
      <form className="card" onSubmit={(event) => void submit(event)} aria-labelledby="sign-in">
        <h1 id="sign-in">Sign in to Strata</h1>
        <label>
          Name
          <input
            name="name"
            autoComplete="username"
            required
            autoFocus
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        {error !== null && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
