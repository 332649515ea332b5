/**
 * Picks the range a page shows: the last hour, day, week or month, or a custom span. The
 * choice goes into the address (`range`, `from`, `to`), so back undoes it.
 */
import { useState, type FormEvent } from 'react';
import { formatZonedTime, viewerTimeZone } from './format';
import { RANGE_PRESETS, type TimeRange } from './time-range';
import { navigate, withParams, type Route } from './use-hash-route';

const PRESET_LABELS = { hour: 'Hour', day: 'Day', week: 'Week', month: 'Month' } as const;

/** `datetime-local` wants "2026-12-04T14:05" in the viewer's zone. */
function localInput(millis: number): string {
  const date = new Date(millis - new Date(millis).getTimezoneOffset() * 60_000);
  return date.toISOString().slice(0, 16);
}

export function TimeRangePicker({ route, range }: { route: Route; range: TimeRange }) {
  const [custom, setCustom] = useState(range.kind === 'custom');
  const [from, setFrom] = useState(localInput(range.fromMillis));
  const [to, setTo] = useState(localInput(range.toMillis));
  const [error, setError] = useState<string | null>(null);

  const choose = (kind: string) => {
    setCustom(false);
    navigate(withParams(route, { range: kind, from: '', to: '' }));
  };
  const applyCustom = (event: FormEvent) => {
    event.preventDefault();
    const fromMillis = new Date(from).getTime();
    const toMillis = new Date(to).getTime();
    if (Number.isNaN(fromMillis) || Number.isNaN(toMillis) || fromMillis >= toMillis) {
      setError('The start must be a time before the end.');
      return;
    }
    setError(null);
    navigate(
      withParams(route, {
        range: 'custom',
        from: new Date(fromMillis).toISOString(),
        to: new Date(toMillis).toISOString(),
      }),
    );
  };

  return (
    <div className="time-range" role="group" aria-label="Time range">
      {RANGE_PRESETS.map((kind) => (
        <button
          key={kind}
          type="button"
          aria-pressed={!custom && range.kind === kind}
          onClick={() => choose(kind)}
        >
          {PRESET_LABELS[kind]}
        </button>
      ))}
      <button type="button" aria-pressed={custom} onClick={() => setCustom(true)}>
        Custom
      </button>
      {custom && (
        <form className="inline-form" onSubmit={applyCustom}>
          <input
            type="datetime-local"
            aria-label="From"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
          />
          <input
            type="datetime-local"
            aria-label="To"
            value={to}
            onChange={(e) => setTo(e.target.value)}
          />
          <button type="submit">Apply</button>
        </form>
      )}
      <span className="range-note">
        {formatZonedTime(range.fromMillis)} – {formatZonedTime(range.toMillis)} (times in{' '}
        {viewerTimeZone})
      </span>
      {error !== null && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </div>
  );
}
