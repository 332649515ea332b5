/**
 * The site at a glance. Until the hub serves the experience score (the Good/Fair/Poor
 * distribution, the worst machines, latency by group), the page shows every machine's latest
 * figures instead.
 */
import { MachineListPage } from './machine-list-page';

export function OverviewPage({ onSessionLost }: { onSessionLost: () => void }) {
  return (
    <article aria-labelledby="overview-heading">
      <h1 id="overview-heading">Overview</h1>
      {/* Not yet: the experience score and dashboard routes (/api/v1/dashboard/...) are not
          in this hub; when they are, this page shows the score distribution, the worst
          machines and latency by group, and the machine list below moves to Machines. */}
      <p className="notice">
        The experience score overview is not available from this hub yet. Below are the machines'
        latest figures.
      </p>
      <MachineListPage onSessionLost={onSessionLost} />
    </article>
  );
}
