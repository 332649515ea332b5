/**
 * Every machine whose agent has called in with its latest figures, refreshed every 15
 * seconds, or, before the first one, how to add one. Shown on the Overview.
 */
import { useEffect } from 'react';
import { api } from './api';
import { EmptyMachineList } from './empty-machine-list';
import { MachineTable } from './machine-table';
import { RefreshStatus } from './refresh-status';
import { usePolledApi } from './use-polled-api';

/** How often the list asks the hub again. */
export const MACHINE_LIST_REFRESH_MILLIS = 15_000; // 15 seconds

interface MachineListPageProps {
  onSessionLost: () => void;
}

export function MachineListPage({ onSessionLost }: MachineListPageProps) {
  const polled = usePolledApi(api.listMachines, MACHINE_LIST_REFRESH_MILLIS, 'machines');
  const lost = polled.error?.status === 401;

  useEffect(() => {
    if (lost) onSessionLost();
  }, [lost, onSessionLost]);

  const machines = polled.value?.machines ?? null;
  const sorted = machines === null ? null : [...machines].sort(byHostname);

  return (
    <section aria-labelledby="machines-heading">
      <div className="page-title">
        <h2 id="machines-heading">Machines, latest figures</h2>
        <RefreshStatus polled={polled} />
      </div>
      {sorted === null ? null : sorted.length === 0 ? (
        <EmptyMachineList />
      ) : (
        <MachineTable machines={sorted} nowMillis={polled.loadedAtMillis} />
      )}
    </section>
  );
}

function byHostname(a: { hostname: string }, b: { hostname: string }): number {
  return a.hostname.localeCompare(b.hostname, undefined, { numeric: true });
}
