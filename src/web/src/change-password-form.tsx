/**
 * Lets the signed-in user replace their password. The hub has the last word on strength;
 * the checks here only save a round trip for the obvious cases.
 */
import { type FormEvent, useState } from 'react';
import { api } from './api';
import { PasswordField } from './password-field';
import { HOME_HASH } from './use-hash-route';

/** The hub refuses shorter passwords with `weak_password`. */
export const MIN_PASSWORD_LENGTH = 12;

type Outcome = { kind: 'idle' } | { kind: 'changed' } | { kind: 'failed'; message: string };

interface ChangePasswordFormProps {
  /** The signed-in user's name, for password managers to file the new password under. */
  userName: string;
  /** True while the current password is one someone else set. */
  mustChange: boolean;
  onChanged: () => void;
}

export function ChangePasswordForm({ userName, mustChange, onChanged }: ChangePasswordFormProps) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const problem = checkLocally(next, confirm);
    if (problem !== null) {
      setOutcome({ kind: 'failed', message: problem });
      return;
    }

    setBusy(true);
    const result = await api.changePassword(current, next);
    setBusy(false);

    if (result.kind === 'ok') {
      setCurrent('');
      setNext('');
      setConfirm('');
      setOutcome({ kind: 'changed' });
      onChanged();
    } else {
      setOutcome({ kind: 'failed', message: describeFailure(result.code, result.message) });
    }
  };

  return (
    <form className="card narrow" onSubmit={(event) => void submit(event)} aria-labelledby="pw">
      <h1 id="pw">Change password</h1>
      {mustChange && <p>Your current password was set for you. Choose one only you know.</p>}
      {/* Hidden, but password managers read it to know whose password this is. */}
      <input type="text" autoComplete="username" value={userName} readOnly hidden />
      <PasswordField
        label="Current password"
        autoComplete="current-password"
        value={current}
        onChange={setCurrent}
      />
      <PasswordField
        label="New password"
        autoComplete="new-password"
        value={next}
        onChange={setNext}
        hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
      />
      <PasswordField
        label="Repeat new password"
        autoComplete="new-password"
        value={confirm}
        onChange={setConfirm}
      />
      {outcome.kind === 'failed' && (
        <p role="alert" className="error">
          {outcome.message}
        </p>
      )}
      {outcome.kind === 'changed' && (
        <p role="status" className="success">
          Your password has been changed. <a href={HOME_HASH}>Go to the overview</a>
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        Change password
      </button>
    </form>
  );
}

function checkLocally(next: string, confirm: string): string | null {
  if (next.length < MIN_PASSWORD_LENGTH) {
    return `The new password needs at least ${MIN_PASSWORD_LENGTH} characters.`;
  }
  if (next !== confirm) return 'The two new passwords are not the same.';
  return null;
}

function describeFailure(code: string, message: string): string {
  // Here 401 means the current password was wrong, not that the session ended.
  if (code === 'bad_credentials') return 'The current password is not right.';
  if (code === 'weak_password') return `The hub refused the new password: ${message}`;
  return `Could not change the password: ${message}`;
}
