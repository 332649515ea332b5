/**
 * One machine: what it is, how busy it is now, its CPU over time, and what runs on it,
 * from the latest sample its agent sent.
 */
import { lazy, Suspense, useEffect } from 'react';
import { api } from './api';
import { DiskTable } from './disk-table';
import { InterfaceTable } from './interface-table';
import { LoggedInUserTable } from './logged-in-user-table';
import { MachineFacts } from './machine-facts';
import { NoticePage } from './notice-page';
import { ProcessTable } from './process-table';
import { RefreshStatus } from './refresh-status';
import { HOME_HASH } from './use-hash-route';
import { usePolledApi } from './use-polled-api';

/** How often the machine page asks the hub again; samples arrive hourly by default. */
export const MACHINE_REFRESH_MILLIS = 60_000; // 1 minute

// ECharts is most of the app's weight; loading it only here keeps the sign-in page and the
// machine list quick to open.
const CpuHistoryChart = lazy(() => import('./cpu-history-chart'));

interface MachinePageProps {
  id: string;
  onSessionLost: () => void;
}

export function MachinePage({ id, onSessionLost }: MachinePageProps) {
  const polled = usePolledApi(() => api.getMachine(id), MACHINE_REFRESH_MILLIS, id);
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
        <a href={HOME_HASH}>All machines</a>
      </nav>
      <div className="page-title">
        <h1 id="machine-heading">{machine.hostname}</h1>
        <RefreshStatus polled={polled} />
      </div>
      <MachineFacts machine={machine} latest={latest} nowMillis={polled.loadedAtMillis} />

      <section aria-labelledby="cpu-history-heading">
        <h2 id="cpu-history-heading">CPU history</h2>
        <Suspense fallback={<div className="chart-placeholder" />}>
          <CpuHistoryChart history={history} />
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
    </article>
  );
}
