/** Issues activation tokens for agents and collectors; the token is shown once. */
import { useState, type FormEvent } from 'react';
import { api } from './api';

// Not yet: the hub has no route that lists the tokens issued, so this section can issue a
// token but not show the earlier ones or how many uses they have left.
export function TokensSection() {
  const [kind, setKind] = useState('agent');
  const [uses, setUses] = useState('1');
  const [hours, setHours] = useState('24');
  const [issued, setIssued] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const issue = async (event: FormEvent) => {
    event.preventDefault();
    const result = await api.issueActivationToken({
      kind,
      uses: Number(uses),
      expiresHours: Number(hours),
    });
    if (result.kind === 'ok') {
      setIssued(result.value.token);
      setError(null);
    } else {
      setError(result.message);
    }
  };

  return (
    <section aria-label="Issue an activation token">
      <form className="stacked-form" onSubmit={(event) => void issue(event)}>
        <label>
          For{' '}
          <select value={kind} onChange={(event) => setKind(event.target.value)}>
            <option value="agent">agents</option>
            <option value="collector">collectors</option>
            <option value="any">either</option>
          </select>
        </label>
        <label>
          Uses{' '}
          <input type="number" min={1} value={uses} onChange={(e) => setUses(e.target.value)} />
        </label>
        <label>
          Valid for hours{' '}
          <input type="number" min={1} value={hours} onChange={(e) => setHours(e.target.value)} />
        </label>
        <button type="submit">Issue token</button>
      </form>
      {error !== null && (
        <p role="alert" className="error">
          No token issued: {error}
        </p>
      )}
      {issued !== null && (
        <p role="status">
          Copy this token now; it is not shown again: <code className="token">{issued}</code>
        </p>
      )}
    </section>
  );
}
