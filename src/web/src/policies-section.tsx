/**
 * Policies and what they set; an administrator changes a policy's callback interval here
 * (every change makes a new policy version, which agents pick up on their next check).
 */
import { useState, type FormEvent } from 'react';
import { api } from './api';
import { ApiState, Outcome } from './api-state';
import type { PolicySummary } from './api-types';
import { useApiCall } from './use-api-call';

/** The bounds the hub's policy schema sets on the interval, in seconds. */
const MIN_INTERVAL_SECONDS = 10;
const MAX_INTERVAL_SECONDS = 86_400;

interface PoliciesSectionProps {
  canChange: boolean;
  onSessionLost: () => void;
}

export function PoliciesSection({ canChange, onSessionLost }: PoliciesSectionProps) {
  const [generation, setGeneration] = useState(0);
  const call = useApiCall(api.listPolicies, `policies-${generation}`, onSessionLost);
  const policies = call.value?.policies;
  if (policies === undefined) return <ApiState call={call} what="Policies" />;
  if (policies.length === 0) return <p className="empty-state">No policies.</p>;
  return (
    <table className="data-table" aria-label="Policies">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">For</th>
          <th scope="col" className="num">
            Version
          </th>
          <th scope="col">Callback interval</th>
        </tr>
      </thead>
      <tbody>
        {policies.map((policy) => (
          <tr key={policy.id}>
            <th scope="row">
              {policy.name}
              {policy.isDefault === true && <span className="tag">default</span>}
            </th>
            <td>{policy.kind}s</td>
            <td className="num">{policy.version}</td>
            <td>
              {policy.kind !== 'agent' ? (
                <span title="collectors do not call back">not used</span>
              ) : canChange ? (
                <IntervalForm policy={policy} onChanged={() => setGeneration((n) => n + 1)} />
              ) : (
                intervalText(policy)
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const intervalText = (policy: PolicySummary) =>
  policy.settings.callbackIntervalSeconds === undefined
    ? "the component's own default"
    : `${policy.settings.callbackIntervalSeconds} s`;

function IntervalForm({ policy, onChanged }: { policy: PolicySummary; onChanged: () => void }) {
  const [seconds, setSeconds] = useState(String(policy.settings.callbackIntervalSeconds ?? ''));
  const [outcome, setOutcome] = useState<{ text: string; isError: boolean } | null>(null);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const value = Number(seconds);
    if (!Number.isInteger(value) || value < MIN_INTERVAL_SECONDS || value > MAX_INTERVAL_SECONDS) {
      setOutcome({
        text: `Give whole seconds from ${MIN_INTERVAL_SECONDS} to ${MAX_INTERVAL_SECONDS}.`,
        isError: true,
      });
      return;
    }
    const result = await api.changePolicy(policy.id, {
      ...policy.settings,
      callbackIntervalSeconds: value,
    });
    if (result.kind === 'ok') {
      setOutcome({ text: `Saved; now version ${result.value.version}.`, isError: false });
      onChanged();
    } else {
      setOutcome({ text: `Not saved: ${result.message}`, isError: true });
    }
  };

  return (
    <form className="inline-form" onSubmit={(event) => void save(event)}>
      <input
        type="number"
        aria-label={`Callback interval of ${policy.name} in seconds`}
        placeholder="default"
        value={seconds}
        onChange={(event) => setSeconds(event.target.value)}
      />
      <span>s</span>
      <button type="submit">Save interval</button>
      <Outcome outcome={outcome} />
    </form>
  );
}
