/**
 * What the machine list shows before any agent has called in: the one command that adds a
 * machine, already filled in with this hub's address.
 */

export function EmptyMachineList() {
  // The agent needs the address people reach the hub at, which is the one in the browser.
  const hubUrl = window.location.origin;
  const command = `strata agent --hub ${hubUrl} --token <activation token>`;

  return (
    <div className="empty-state" role="region" aria-label="No machines yet">
      <h2>No machines yet</h2>
      <p>
        A machine appears here after its agent calls in for the first time. To add one, run this on
        the machine, with an activation token an administrator issued:
      </p>
      <pre>
        <code>{command}</code>
      </pre>
      <p>
        After that the agent calls back on the schedule its policy sets, hourly by default. This
        list refreshes by itself.
      </p>
    </div>
  );
}
