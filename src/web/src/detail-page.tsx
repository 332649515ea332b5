/**
 * The pages of one user, application, process or destination: a heading, a way back, the
 * time range, and the lists that lead on (a user's machines, a process's connections),
 * each an inspector filtered to this subject.
 */
import { lazy, Suspense, type ReactNode } from 'react';
import { Inspector } from './inspector';
import { LIST_TITLES } from './list-page';
import { TimeRangePicker } from './time-range-picker';
import { rangeQuery, useTimeRange, type TimeRange } from './time-range';
import { api } from './api';
import { LoadError } from './api-state';
import { useApiCall } from './use-api-call';
import { hashFor, type ListName, type Route } from './use-hash-route';

const SeriesChart = lazy(() => import('./series-chart'));
const TimeSeriesChart = lazy(() =>
  import('./series-chart').then((module) => ({ default: module.TimeSeriesChart })),
);

/** One related list on a detail page. */
interface Related {
  list: ListName;
  title: string;
  /** Parameter prefix, so each list keeps its own filters and page in the address. */
  prefix: string;
  fixed: Record<string, string>;
}

interface DetailPageProps {
  kind: string;
  name: string;
  back: { list: ListName };
  route: Route;
  related: Related[];
  /** A chart over the range drawn from the first page of this list, if any. */
  chart?: { list: ListName; fixed: Record<string, string>; title: string };
  onSessionLost: () => void;
  children?: ReactNode;
  /** Drawn under the heading, given the page's range (a user's CPU and memory). */
  top?: (range: TimeRange) => ReactNode;
}

export function DetailPage(props: DetailPageProps) {
  const { kind, name, back, route, related, chart, onSessionLost, children, top } = props;
  const range = useTimeRange(route.params);
  return (
    <article aria-labelledby="detail-heading">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <a href={hashFor([back.list])}>All {LIST_TITLES[back.list].toLowerCase()}</a>
      </nav>
      <div className="page-title">
        <h1 id="detail-heading">
          <span className="kind">{kind}</span> {name}
        </h1>
        <TimeRangePicker key={route.params.get('range') ?? ''} route={route} range={range} />
      </div>
      {children}
      {top?.(range)}
      {chart !== undefined && (
        <section aria-label={chart.title}>
          <h2>{chart.title}</h2>
          <Suspense fallback={<div className="chart-placeholder" />}>
            <SeriesChart list={chart.list} fixed={chart.fixed} range={range} title={chart.title} />
          </Suspense>
        </section>
      )}
      {related.map((entry) => (
        <Inspector
          key={entry.prefix}
          list={entry.list}
          title={entry.title}
          prefix={entry.prefix}
          fixed={entry.fixed}
          route={route}
          range={range}
          onSessionLost={onSessionLost}
        />
      ))}
    </article>
  );
}

/** A user: the machines they used and their logons. */
export function UserPage(props: { name: string; route: Route; onSessionLost: () => void }) {
  const user = props.name;
  return (
    <DetailPage
      kind="User"
      name={user}
      back={{ list: 'users' }}
      route={props.route}
      onSessionLost={props.onSessionLost}
      chart={{ list: 'logons', fixed: { user }, title: 'Logon durations' }}
      top={(range) => <UserCharts account={user} range={range} />}
      related={[
        { list: 'machines', title: 'Machines used', prefix: 'm.', fixed: { user } },
        { list: 'logons', title: 'Logons', prefix: 'l.', fixed: { user } },
        { list: 'applications', title: 'Applications used', prefix: 'a.', fixed: { user } },
      ]}
    />
  );
}

/** An application: where it runs and who runs it, over the range. */
export function ApplicationPage(props: { name: string; route: Route; onSessionLost: () => void }) {
  const application = props.name;
  return (
    <DetailPage
      kind="Application"
      name={application}
      back={{ list: 'applications' }}
      route={props.route}
      onSessionLost={props.onSessionLost}
      related={[
        { list: 'applications', title: 'Use', prefix: 'a.', fixed: { application } },
        { list: 'processes', title: 'Processes', prefix: 'p.', fixed: { application } },
      ]}
    />
  );
}

interface ProcessPageProps {
  machine: string;
  pid: string;
  route: Route;
  onSessionLost: () => void;
}

/** One process (by id) on one machine: its connections, and its samples. */
export function ProcessPage({ machine, pid, route, onSessionLost }: ProcessPageProps) {
  const application = route.params.get('name');
  const samples: Record<string, string> =
    application === null ? { machine } : { machine, application };
  return (
    <DetailPage
      kind="Process"
      name={application === null ? pid : `${application} (${pid})`}
      back={{ list: 'processes' }}
      route={route}
      onSessionLost={onSessionLost}
      related={[
        { list: 'connections', title: 'Connections', prefix: 'c.', fixed: { machine, pid } },
        { list: 'processes', title: 'Samples', prefix: 'p.', fixed: samples },
      ]}
    >
      <p>
        On <a href={hashFor(['machines', machine])}>its machine</a>.
      </p>
    </DetailPage>
  );
}

/** A destination: the connections to it, from which processes and machines. */
export function DestinationPage(props: {
  address: string;
  route: Route;
  onSessionLost: () => void;
}) {
  const address = props.address;
  return (
    <DetailPage
      kind="Destination"
      name={address}
      back={{ list: 'destinations' }}
      route={props.route}
      onSessionLost={props.onSessionLost}
      related={[
        { list: 'destinations', title: 'Ports', prefix: 'd.', fixed: { address } },
        { list: 'connections', title: 'Connections to it', prefix: 'c.', fixed: { address } },
      ]}
    />
  );
}

/** A user's CPU and memory over the range: their processes summed per callback. */
function UserCharts({ account, range }: { account: string; range: TimeRange }) {
  const query = rangeQuery(range);
  const call = useApiCall(
    () => api.userHistory(account, query),
    `${account} ${query.from} ${query.to}`,
  );
  const history = call.value?.history ?? [];
  const points = (pick: (point: (typeof history)[number]) => number) =>
    history.map((point): [number, number | null] => [Date.parse(point.at), pick(point)]);
  return (
    <>
      <LoadError call={call} what="CPU and memory" />
      {(['CPU', 'Memory'] as const).map((figure) => (
        <section key={figure} aria-label={`${figure} history`}>
          <h2>{figure} history</h2>
          {call.value === null ? (
            <div className="chart-placeholder" />
          ) : (
            <Suspense fallback={<div className="chart-placeholder" />}>
              <TimeSeriesChart
                range={range}
                label={figure === 'CPU' ? 'CPU use' : 'Memory use'}
                series={[
                  figure === 'CPU'
                    ? {
                        name: 'CPU',
                        unit: 'percent',
                        color: '#2563eb',
                        points: points((p) => p.cpuPercent),
                      }
                    : {
                        name: 'Memory used',
                        unit: 'bytes',
                        color: '#7c3aed',
                        points: points((p) => p.memoryRssBytes),
                      },
                ]}
              />
            </Suspense>
          )}
        </section>
      ))}
    </>
  );
}
