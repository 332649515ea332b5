/**
 * The change log, newest first: filter by who, what (an action, or every action under a
 * prefix such as `policy.`) and subject, page back through older entries. The filters and
 * the page live in the address.
 */
import { useState, type FormEvent } from 'react';
import { api } from './api';
import { ApiState } from './api-state';
import { formatZonedTime, viewerTimeZone } from './format';
import { navigate, withParams, type Route } from './use-hash-route';
import { useApiCall } from './use-api-call';

/** Entries per page. */
const CHANGE_LOG_PAGE = 50;
const FILTERS = ['actor', 'action', 'subject'] as const;

export function ChangeLogSection({
  route,
  onSessionLost,
}: {
  route: Route;
  onSessionLost: () => void;
}) {
  const query = new URLSearchParams({ limit: String(CHANGE_LOG_PAGE) });
  for (const key of [...FILTERS, 'before']) {
    const value = route.params.get(key);
    if (value) query.set(key, value);
  }
  const call = useApiCall(() => api.listChangeLog(query), query.toString(), onSessionLost);
  const entries = call.value?.entries;
  const last = entries?.[entries.length - 1];

  return (
    <>
      <ChangeLogFilter key={route.params.toString()} route={route} />
      {entries === undefined ? (
        <ApiState call={call} what="The change log" />
      ) : entries.length === 0 ? (
        <p className="empty-state">No entries match.</p>
      ) : (
        <table className="data-table" aria-label="Change log" aria-busy={call.loading}>
          <caption>Times in {viewerTimeZone}.</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Subject</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td>{formatZonedTime(entry.at)}</td>
                <td>{entry.actor}</td>
                <td>{entry.action}</td>
                <td>{entry.subject}</td>
                <td className="detail">{JSON.stringify(entry.detail)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="pager">
        <button
          type="button"
          disabled={!route.params.get('before')}
          onClick={() => navigate(withParams(route, { before: '' }))}
        >
          Newest
        </button>
        <button
          type="button"
          disabled={last === undefined || (entries?.length ?? 0) < CHANGE_LOG_PAGE}
          onClick={() => last && navigate(withParams(route, { before: last.id }))}
        >
          Older entries
        </button>
      </div>
    </>
  );
}

function ChangeLogFilter({ route }: { route: Route }) {
  const [values, setValues] = useState(() =>
    Object.fromEntries(FILTERS.map((key) => [key, route.params.get(key) ?? ''])),
  );
  const apply = (event: FormEvent) => {
    event.preventDefault();
    const change = Object.fromEntries(FILTERS.map((key) => [key, values[key]!.trim()]));
    navigate(withParams(route, { ...change, before: '' }));
  };
  return (
    <form className="inline-form" role="search" aria-label="Filter the change log" onSubmit={apply}>
      {FILTERS.map((key) => (
        <label key={key}>
          {key === 'actor' ? 'Who' : key === 'action' ? 'Action' : 'Subject'}{' '}
          <input
            value={values[key]}
            placeholder={
              key === 'action' ? 'policy.update or policy.' : key === 'actor' ? 'person:admin' : ''
            }
            onChange={(event) => setValues({ ...values, [key]: event.target.value })}
          />
        </label>
      ))}
      <button type="submit">Filter</button>
    </form>
  );
}
