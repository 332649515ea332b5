/**
 * The pages of one user, application, process or destination: a heading, a way back, the
 * time range, and the lists that lead on (a user's machines, a process's connections),
 * each an inspector filtered to this subject.
 */
import { lazy, Suspense, type ReactNode } from 'react';
import { Inspector } from './inspector';
import { LIST_TITLES } from './list-page';
import { TimeRangePicker } from './time-range-picker';
import { useTimeRange } from './time-range';
import { hashFor, type ListName, type Route } from './use-hash-route';

const SeriesChart = lazy(() => import('./series-chart'));

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
}

export function DetailPage(props: DetailPageProps) {
  const { kind, name, back, route, related, chart, onSessionLost, children } = props;
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
      related={[
        { list: 'machines', title: 'Machines used', prefix: 'm.', fixed: { user } },
        { list: 'logons', title: 'Logons', prefix: 'l.', fixed: { user } },
        { list: 'applications', title: 'Applications used', prefix: 'a.', fixed: { user } },
      ]}
    />
  );
}

/** An application: the processes that run it and the machines they run on. */
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
        { list: 'processes', title: 'Processes', prefix: 'p.', fixed: { application } },
        { list: 'users', title: 'Users', prefix: 'u.', fixed: { application } },
      ]}
    />
  );
}

interface ProcessPageProps {
  machine: string;
  name: string;
  route: Route;
  onSessionLost: () => void;
}

/** A process on one machine: its samples and its connections. */
export function ProcessPage({ machine, name, route, onSessionLost }: ProcessPageProps) {
  const fixed = { machine, process: name };
  return (
    <DetailPage
      kind="Process"
      name={name}
      back={{ list: 'processes' }}
      route={route}
      onSessionLost={onSessionLost}
      related={[
        { list: 'connections', title: 'Connections', prefix: 'c.', fixed },
        { list: 'processes', title: 'Samples', prefix: 'p.', fixed },
      ]}
    >
      <p>
        On <a href={hashFor(['machines', machine])}>this machine</a>.
      </p>
    </DetailPage>
  );
}

/** A destination: the connections to it, and from which processes and machines. */
export function DestinationPage(props: {
  address: string;
  route: Route;
  onSessionLost: () => void;
}) {
  const destination = props.address;
  return (
    <DetailPage
      kind="Destination"
      name={destination}
      back={{ list: 'destinations' }}
      route={props.route}
      onSessionLost={props.onSessionLost}
      related={[
        { list: 'connections', title: 'Connections to it', prefix: 'c.', fixed: { destination } },
      ]}
    />
  );
}
