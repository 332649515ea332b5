/**
 * Activation tokens for agents and collectors: issued here (the token is shown once), listed
 * with what became of each (uses left, activations, state), and ended early.
 */
import { useState, type FormEvent } from 'react';
import { api } from './api';
import type { ActivationTokenSummary } from './api-types';
import { ApiState } from './api-state';
import { formatZonedTime, viewerTimeZone } from './format';
import { useApiCall, type ApiCall } from './use-api-call';

const STATE_WORDS = {
  usable: 'usable',
  used_up: 'used up',
  expired: 'expired',
  revoked: 'revoked',
} as const;

export function TokensSection({ onSessionLost }: { onSessionLost: () => void }) {
  const listed = useApiCall(api.listActivationTokens, 'activation-tokens', onSessionLost);
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
      listed.reload();
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
      <TokenTable
        tokens={listed.value?.tokens}
        call={listed}
        onRevoke={async (id) => {
          const result = await api.revokeActivationToken(id);
          if (result.kind === 'ok') setError(null);
          else setError(result.message);
          listed.reload();
        }}
      />
    </section>
  );
}

function TokenTable(props: {
  tokens: ActivationTokenSummary[] | undefined;
  call: ApiCall<unknown>;
  onRevoke: (id: string) => Promise<void>;
}) {
  if (props.tokens === undefined) return <ApiState call={props.call} what="Activation tokens" />;
  if (props.tokens.length === 0) return <p className="empty-state">No token issued yet.</p>;
  return (
    <table className="data-table" aria-label="Activation tokens">
      <caption>Times in {viewerTimeZone}.</caption>
      <thead>
        <tr>
          <th scope="col">Issued</th>
          <th scope="col">For</th>
          <th scope="col">Label</th>
          <th scope="col">Uses left</th>
          <th scope="col">Activations</th>
          <th scope="col">Expires</th>
          <th scope="col">State</th>
          <th scope="col">Action</th>
        </tr>
      </thead>
      <tbody>
        {props.tokens.map((token) => (
          <tr key={token.id}>
            <td>{formatZonedTime(token.createdAt)}</td>
            <td>{token.kind}</td>
            <td>{token.label}</td>
            <td className="num">{token.usesLeft}</td>
            <td className="num">{token.activations}</td>
            <td>{formatZonedTime(token.expiresAt)}</td>
            <td>{STATE_WORDS[token.state]}</td>
            <td>
              {token.state === 'usable' && (
                <button type="button" onClick={() => void props.onRevoke(token.id)}>
                  End
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
