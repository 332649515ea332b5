/** What a section shows while its data loads or after loading failed, in words. */
import type { ApiCall } from './use-api-call';

/** Why `what` did not load, in words, with a way to try again. */
export function LoadError({ call, what }: { call: ApiCall<unknown>; what: string }) {
  if (call.error === null) return null;
  return (
    <p role="alert" className="error">
      {what} could not be loaded: {call.error.message}{' '}
      <button type="button" onClick={call.reload}>
        Try again
      </button>
    </p>
  );
}

/** The outcome of an action: a status when it worked, an alert when it did not. */
export function Outcome({ outcome }: { outcome: { text: string; isError: boolean } | null }) {
  if (outcome === null) return null;
  return (
    <span role={outcome.isError ? 'alert' : 'status'} className={outcome.isError ? 'error' : ''}>
      {outcome.text}
    </span>
  );
}

/** Null once there is a value to show; otherwise the loading line or the error. */
export function ApiState({ call, what }: { call: ApiCall<unknown>; what: string }) {
  if (call.error !== null) return <LoadError call={call} what={what} />;
  if (call.value === null) {
    return (
      <p role="status" className="empty-state">
        Loading {what.toLowerCase()}…
      </p>
    );
  }
  return null;
}
