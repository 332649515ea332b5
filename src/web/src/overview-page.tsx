/**
 * The site at a glance, from the hub's roll-ups: how many machines and people report, the
 * Good/Fair/Poor spread of the latest scored day, the worst machines and what pulls them
 * down, the busiest applications, and network latency by group. Every figure leads on.
 */
import { api } from './api';
import { ApiState } from './api-state';
import type { Band, DashboardOverview } from './api-types';
import { formatDuration, formatPercent, formatZonedTime, viewerTimeZone } from './format';
import { hashFor } from './use-hash-route';
import { useApiCall } from './use-api-call';

const BANDS: Band[] = ['Good', 'Fair', 'Poor'];

export function OverviewPage({ onSessionLost }: { onSessionLost: () => void }) {
  const overview = useApiCall(api.dashboardOverview, 'overview', onSessionLost);
  return (
    <article aria-labelledby="overview-heading">
      <h1 id="overview-heading">Overview</h1>
      {overview.value === null ? (
        <ApiState call={overview} what="The overview" />
      ) : (
        <SiteFigures overview={overview.value} />
      )}
      <div className="two-columns">
        <WorstMachines onSessionLost={onSessionLost} />
        <TopApplications onSessionLost={onSessionLost} />
      </div>
      <NetworkLatency onSessionLost={onSessionLost} />
    </article>
  );
}

function SiteFigures({ overview }: { overview: DashboardOverview }) {
  const { machines, users, collectors, freshness, scores } = overview;
  const scored = BANDS.reduce((sum, band) => sum + scores[band], 0);
  const machinesText = `${machines.reporting} of ${machines.total} reported in the last day`;
  const usersText = `${users.active} of ${users.total} active`;
  const collectorsText = `${collectors.reporting} of ${collectors.total} reporting`;
  return (
    <>
      <section aria-label="Site figures" className="facts">
        <p>
          <a href={hashFor(['machines'])}>Machines</a>: {machinesText} ·{' '}
          <a href={hashFor(['users'])}>Users</a>: {usersText} ·{' '}
          <a href="#/admin/collectors">Collectors</a>: {collectorsText}
        </p>
        <p className="range-note">
          Latest callback {formatZonedTime(freshness.latestCallbackAt)}; latest day rolled up{' '}
          {freshness.latestRolledUpDay ?? 'none yet'} (times in {viewerTimeZone}).
        </p>
      </section>
      <section aria-labelledby="bands-heading">
        <h2 id="bands-heading">Experience{scores.day === null ? '' : ` on ${scores.day}`}</h2>
        {scored === 0 ? (
          <p className="empty-state">
            No day has been scored yet; scores appear after the first full day is rolled up.
          </p>
        ) : (
          <div className="band-bar" role="img" aria-label={bandSummary(scores, scored)}>
            {BANDS.filter((band) => scores[band] > 0).map((band) => (
              <span
                key={band}
                className={`band band-${band.toLowerCase()}`}
                style={{ flexGrow: scores[band] }}
              >
                {band} {scores[band]}
              </span>
            ))}
          </div>
        )}
      </section>
    </>
  );
}

const bandSummary = (scores: Record<Band, number>, scored: number) =>
  `${scored} machines scored: ` + BANDS.map((band) => `${scores[band]} ${band}`).join(', ');

function WorstMachines({ onSessionLost }: { onSessionLost: () => void }) {
  const call = useApiCall(api.worstMachines, 'worst', onSessionLost);
  const machines = call.value?.machines;
  return (
    <section aria-labelledby="worst-heading">
      <h2 id="worst-heading">Worst machines</h2>
      {machines === undefined ? (
        <ApiState call={call} what="Worst machines" />
      ) : machines.length === 0 ? (
        <p className="empty-state">No scores yet.</p>
      ) : (
        <table className="data-table" aria-label="Worst machines">
          <thead>
            <tr>
              <th scope="col">Machine</th>
              <th scope="col" className="num">
                Score
              </th>
              <th scope="col">Pulled down by</th>
            </tr>
          </thead>
          <tbody>
            {machines.map((machine) => (
              <tr key={machine.machineId}>
                <th scope="row">
                  <a href={hashFor(['machines', machine.machineId])}>
                    {machine.hostname || machine.machineId}
                  </a>
                </th>
                <td className="num">
                  {Math.round(machine.score)} ({machine.band})
                </td>
                <td>{machine.pulledDownBy.join(', ') || '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function TopApplications({ onSessionLost }: { onSessionLost: () => void }) {
  const call = useApiCall(api.topApplications, 'top-applications', onSessionLost);
  const applications = call.value?.applications;
  return (
    <section aria-labelledby="top-apps-heading">
      <h2 id="top-apps-heading">Busiest applications, last 7 days</h2>
      {applications === undefined ? (
        <ApiState call={call} what="Applications" />
      ) : applications.length === 0 ? (
        <p className="empty-state">No application figures rolled up yet.</p>
      ) : (
        <table className="data-table" aria-label="Busiest applications">
          <thead>
            <tr>
              <th scope="col">Application</th>
              <th scope="col" className="num">
                CPU (mean)
              </th>
              <th scope="col" className="num">
                CPU (peak)
              </th>
            </tr>
          </thead>
          <tbody>
            {applications.map((entry) => (
              <tr key={entry.application}>
                <th scope="row">
                  <a href={hashFor(['applications', entry.application])}>{entry.application}</a>
                </th>
                <td className="num">{formatPercent(entry.meanCpuPercent)}</td>
                <td className="num">{formatPercent(entry.maxCpuPercent)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function NetworkLatency({ onSessionLost }: { onSessionLost: () => void }) {
  const call = useApiCall(api.networkLatency, 'latency', onSessionLost);
  const groups = call.value?.groups;
  return (
    <section aria-labelledby="latency-heading">
      <h2 id="latency-heading">Network latency by group, last 7 days</h2>
      {groups === undefined ? (
        <ApiState call={call} what="Network latency" />
      ) : groups.length === 0 ? (
        <p className="empty-state">No handshake times measured by network collectors yet.</p>
      ) : (
        <table className="data-table" aria-label="Network latency by group">
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col" className="num">
                Connections
              </th>
              <th scope="col" className="num">
                95th percentile
              </th>
            </tr>
          </thead>
          <tbody>
            {groups.map((group) => (
              <tr key={group.groupId}>
                <th scope="row">{group.name || group.groupId}</th>
                <td className="num">{group.flows}</td>
                <td className="num">{formatDuration(group.p95Millis)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
