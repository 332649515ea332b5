/** Collectors and agents: state, version, last callback, queue depth. */
import { api } from './api';
import { ApiState } from './api-state';
import { formatBytes, formatZonedTime, MISSING, viewerTimeZone } from './format';
import { Inspector } from './inspector';
import type { Route } from './use-hash-route';
import { useApiCall } from './use-api-call';

export function CollectorsSection({ onSessionLost }: { onSessionLost: () => void }) {
  const call = useApiCall(api.listCollectors, 'collectors', onSessionLost);
  const collectors = call.value?.collectors;
  if (collectors === undefined) return <ApiState call={call} what="Collectors" />;
  if (collectors.length === 0) {
    return <p className="empty-state">No collector has been activated on this site.</p>;
  }
  return (
    <table className="data-table" aria-label="Collectors">
      <caption>Times in {viewerTimeZone}.</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">State</th>
          <th scope="col">Version</th>
          <th scope="col">Last report</th>
          <th scope="col" className="num">
            Queue depth (records)
          </th>
          <th scope="col" className="num">
            Queue size
          </th>
          <th scope="col">Settings</th>
        </tr>
      </thead>
      <tbody>
        {collectors.map((collector) => (
          <tr key={collector.id}>
            <th scope="row">{collector.name}</th>
            <td>{collector.state}</td>
            <td>{collector.version || MISSING}</td>
            <td>{formatZonedTime(collector.reportedAt)}</td>
            <td className="num">{numberOrMissing(collector.queue?.records)}</td>
            <td className="num">
              {typeof collector.queue?.bytes === 'number'
                ? formatBytes(collector.queue.bytes)
                : MISSING}
            </td>
            <td>
              {collector.appliedConfigVersion === collector.configVersion
                ? `version ${collector.configVersion}, applied`
                : `version ${collector.configVersion}, not yet applied`}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const numberOrMissing = (value: unknown) => (typeof value === 'number' ? String(value) : MISSING);

/** Agents as a list: version, policy version, state and last callback, paged by the hub. */
export function AgentsSection(props: { route: Route; onSessionLost: () => void }) {
  return (
    <Inspector
      list="agents"
      title="Agents"
      route={props.route}
      onSessionLost={props.onSessionLost}
    />
  );
}
