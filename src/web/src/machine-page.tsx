/**
 * One machine: what it is, how busy it is now, its CPU and memory over the chosen range,
 * what runs on it from the latest sample its agent sent, and the lists that lead on (its
 * processes, logons and connections).
 */
import { lazy, Suspense, useEffect } from 'react';
import type { MachineBody } from './api-types';
import { Inspector } from './inspector';
import { rangeQuery, useTimeRange, type TimeRange } from './time-range';
import { TimeRangePicker } from './time-range-picker';
import { api } from './api';
import { DiskTable } from './disk-table';
import { InterfaceTable } from './interface-table';
import { LoggedInUserTable } from './logged-in-user-table';
import { MachineFacts } from './machine-facts';
import { NoticePage } from './notice-page';
import { ProcessTable } from './process-table';
import { RefreshStatus } from './refresh-status';
import { hashFor, type Route } from './use-hash-route';
import { usePolledApi } from './use-polled-api';

/** How often the machine page asks the hub again; samples arrive hourly by default. */
export const MACHINE_REFRESH_MILLIS = 60_000; // 1 minute

// ECharts is most of the app's weight; loading it only here keeps the sign-in page and the
// lists quick to open.
const TimeSeriesChart = lazy(() =>
  import('./series-chart').then((module) => ({ default: module.TimeSeriesChart })),
);

interface MachinePageProps {
  id: string;
  route: Route;
  onSessionLost: () => void;
}

export function MachinePage({ id, route, onSessionLost }: MachinePageProps) {
  const range = useTimeRange(route.params);
  const query = rangeQuery(range);
  const polled = usePolledApi(
    () => api.getMachine(id, query),
    MACHINE_REFRESH_MILLIS,
    `${id} ${query.from} ${query.to}`,
  );
  const { value, error } = polled;

  useEffect(() => {
    if (error?.status === 401) onSessionLost();
  }, [error, onSessionLost]);

  if (error?.code === 'machine_not_found') {
    return (
      <NoticePage title="Machine not found">
        The hub has no machine with id <code>{id}</code>. It may have been removed.
      </NoticePage>
    );
  }
  if (value === null) return <RefreshStatus polled={polled} />;

  const { machine, latest, history } = value;
  return (
    <article aria-labelledby="machine-heading">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <a href={hashFor(['machines'])}>All machines</a>
      </nav>
      <div className="page-title">
        <h1 id="machine-heading">{machine.hostname}</h1>
        <RefreshStatus polled={polled} />
      </div>
      <TimeRangePicker key={route.params.get('range') ?? ''} route={route} range={range} />
      <MachineFacts machine={machine} latest={latest} nowMillis={polled.loadedAtMillis} />

      <section aria-labelledby="cpu-history-heading">
        <h2 id="cpu-history-heading">CPU history</h2>
        <Suspense fallback={<div className="chart-placeholder" />}>
          <TimeSeriesChart series={cpuSeries(history)} range={range} label="CPU use" />
        </Suspense>
      </section>
      <section aria-labelledby="memory-history-heading">
        <h2 id="memory-history-heading">Memory history</h2>
        <Suspense fallback={<div className="chart-placeholder" />}>
          <TimeSeriesChart series={memorySeries(history)} range={range} label="Memory use" />
        </Suspense>
      </section>

      {latest === null ? (
        <p className="empty-state">
          No sample from this machine yet. Disks, network, users and processes appear after its
          agent's first callback.
        </p>
      ) : (
        <>
          <ProcessTable processes={latest.processes} />
          <div className="two-columns">
            <DiskTable disks={latest.disks} />
            <LoggedInUserTable users={latest.users} nowMillis={polled.loadedAtMillis} />
          </div>
          <InterfaceTable interfaces={latest.interfaces} />
        </>
      )}
      <MachineLists id={id} route={route} range={range} onSessionLost={onSessionLost} />
    </article>
  );
}

type History = MachineBody['history'];
type Point = History[number];

/** One figure of the history as a chart series. */
function historySeries(
  history: History,
  series: { name: string; unit: 'percent' | 'bytes'; color: string },
  figure: (point: Point) => number | null,
) {
  const points = history.map((point): [number, number | null] => [
    Date.parse(point.at),
    figure(point),
  ]);
  return [{ ...series, points }];
}

const cpuSeries = (history: History) =>
  historySeries(history, { name: 'CPU', unit: 'percent', color: '#2563eb' }, (p) => p.cpuPercent);

const memorySeries = (history: History) =>
  historySeries(
    history,
    { name: 'Memory used', unit: 'bytes', color: '#7c3aed' },
    (p) => p.memoryUsedBytes,
  );

interface MachineListsProps {
  id: string;
  route: Route;
  range: TimeRange;
  onSessionLost: () => void;
}

/** The lists that lead on from a machine, each filtered to it and paged on its own. */
function MachineLists({ id, route, range, onSessionLost }: MachineListsProps) {
  const lists = [
    { list: 'processes', title: 'Processes on this machine', prefix: 'p.' },
    { list: 'logons', title: 'Logons on this machine', prefix: 'l.' },
    { list: 'connections', title: 'Connections from this machine', prefix: 'c.' },
  ];
  return lists.map((entry) => (
    <Inspector
      key={entry.prefix}
      {...entry}
      fixed={{ machine: id }}
      route={route}
      range={range}
      onSessionLost={onSessionLost}
    />
  ));
}
