/**
 * The busiest processes of the latest sample, by share of the whole machine's CPU. The agent
 * already sends the busiest first, but the order is not promised, so sort here.
 */
import type { ProcessSample } from './api-types';
import { formatBytes, formatPercent } from './format';

/** How many processes the table lists. */
export const TOP_PROCESS_COUNT = 15;

export function ProcessTable({ processes }: { processes: ProcessSample[] }) {
  const top = [...processes]
    .sort((a, b) => b.cpuPercent - a.cpuPercent || b.memoryRssBytes - a.memoryRssBytes)
    .slice(0, TOP_PROCESS_COUNT);

  return (
    <section aria-labelledby="processes-heading">
      <h2 id="processes-heading">Top processes by CPU</h2>
      {top.length === 0 ? (
        <p className="empty-state">The latest sample lists no processes.</p>
      ) : (
        <table className="data-table" aria-label="Top processes">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col" className="num">
                PID
              </th>
              <th scope="col">Account</th>
              <th scope="col" className="num">
                CPU
              </th>
              <th scope="col" className="num">
                Memory
              </th>
              <th scope="col">Command</th>
            </tr>
          </thead>
          <tbody>
            {top.map((process) => (
              <tr key={process.pid}>
                <th scope="row">{process.name}</th>
                <td className="num">{process.pid}</td>
                <td>{process.account || '–'}</td>
                <td className="num">{formatPercent(process.cpuPercent)}</td>
                <td className="num">{formatBytes(process.memoryRssBytes)}</td>
                <td className="command" title={process.command}>
                  <code>{process.command}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {processes.length > top.length && (
        <p className="table-note">
          Showing {top.length} of {processes.length} processes in the latest sample.
        </p>
      )}
    </section>
  );
}
