/**
 * Site settings: how long detail is kept and the storage ceiling, and the site's time zone
 * (the boundaries of days, weeks and months in roll-ups). Everyone sees them; administrators
 * change them.
 */
import { useState, type FormEvent } from 'react';
import { api } from './api';
import { ApiState, Outcome } from './api-state';
import { useApiCall } from './use-api-call';

const GIB = 1024 ** 3;

type Result = { text: string; isError: boolean } | null;

export function SettingsSection(props: { canChange: boolean; onSessionLost: () => void }) {
  const retention = useApiCall(api.getRetention, 'retention', props.onSessionLost);
  const zone = useApiCall(api.getTimeZone, 'time-zone', props.onSessionLost);
  if (retention.value === null) return <ApiState call={retention} what="Retention" />;
  if (zone.value === null) return <ApiState call={zone} what="Time zone" />;
  return (
    <>
      <RetentionForm
        current={retention.value}
        canChange={props.canChange}
        onSaved={retention.reload}
      />
      <TimeZoneForm
        current={zone.value.timeZone}
        canChange={props.canChange}
        onSaved={zone.reload}
      />
    </>
  );
}

function RetentionForm(props: {
  current: { detailDays: number; ceilingBytes: number | null };
  canChange: boolean;
  onSaved: () => void;
}) {
  const [days, setDays] = useState(String(props.current.detailDays));
  const [ceiling, setCeiling] = useState(
    props.current.ceilingBytes === null ? '' : String(props.current.ceilingBytes / GIB),
  );
  const [outcome, setOutcome] = useState<Result>(null);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    const ceilingBytes = ceiling.trim() === '' ? null : Math.round(Number(ceiling) * GIB);
    const result = await api.changeRetention({ detailDays: Number(days), ceilingBytes });
    setOutcome(
      result.kind === 'ok'
        ? { text: 'Retention saved; the next hourly run applies it.', isError: false }
        : { text: `Not saved: ${result.message}`, isError: true },
    );
    if (result.kind === 'ok') props.onSaved();
  };
  return (
    <form className="stacked-form" aria-label="Retention" onSubmit={(event) => void save(event)}>
      <h2>Retention</h2>
      <label>
        Days of detail kept{' '}
        <input
          type="number"
          min={1}
          value={days}
          disabled={!props.canChange}
          onChange={(event) => setDays(event.target.value)}
        />
      </label>
      <label>
        Storage ceiling for detail, GiB (empty: none){' '}
        <input
          type="number"
          min={0.001}
          step="any"
          value={ceiling}
          disabled={!props.canChange}
          onChange={(event) => setCeiling(event.target.value)}
        />
      </label>
      {props.canChange && <button type="submit">Save retention</button>}
      <Outcome outcome={outcome} />
    </form>
  );
}

function TimeZoneForm(props: { current: string; canChange: boolean; onSaved: () => void }) {
  const [zone, setZone] = useState(props.current);
  const [outcome, setOutcome] = useState<Result>(null);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    const result = await api.changeTimeZone(zone.trim());
    setOutcome(
      result.kind === 'ok'
        ? { text: `The site's days now follow ${zone.trim()}.`, isError: false }
        : { text: `Not saved: ${result.message}`, isError: true },
    );
    if (result.kind === 'ok') props.onSaved();
  };
  return (
    <form className="stacked-form" aria-label="Time zone" onSubmit={(event) => void save(event)}>
      <h2>Site time zone</h2>
      <label>
        Time zone (IANA name, such as Europe/Berlin){' '}
        <input
          value={zone}
          disabled={!props.canChange}
          onChange={(event) => setZone(event.target.value)}
        />
      </label>
      {props.canChange && <button type="submit">Save time zone</button>}
      <Outcome outcome={outcome} />
    </form>
  );
}
