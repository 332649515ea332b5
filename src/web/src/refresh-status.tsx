/**
 * A quiet line beside a page title: loading, when the data was last fetched, or why the
 * latest refresh failed while older data stays on screen.
 */
import type { Polled } from './use-polled-api';

const timeOfDay = new Intl.DateTimeFormat('en', { timeStyle: 'medium' });

export function RefreshStatus({ polled }: { polled: Polled<unknown> }) {
  const { value, error, loadedAtMillis } = polled;

  if (error !== null) {
    const stale = value === null ? '' : ` Showing data from ${timeOfDay.format(loadedAtMillis)}.`;
    return (
      <p role="alert" className="refresh-status error">
        {error.message}
        {stale}
      </p>
    );
  }
  if (value === null) {
    return (
      <p role="status" className="refresh-status">
        Loading…
      </p>
    );
  }
  return (
    <p className="refresh-status">
      Updated{' '}
      <time dateTime={new Date(loadedAtMillis).toISOString()}>
        {timeOfDay.format(loadedAtMillis)}
      </time>
    </p>
  );
}
