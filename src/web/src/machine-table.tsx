/** The machine list as a table: one row per machine, figures from its latest sample. */
import type { MachineSummary } from './api-types';
import { formatPercent, formatUsedOfTotal, percentOf } from './format';
import { RelativeTime } from './relative-time';
import { UsageBar } from './usage-bar';
import { machineHash } from './use-hash-route';

interface MachineTableProps {
  machines: MachineSummary[];
  /** When the list was fetched; "last seen" is measured from here. */
  nowMillis: number;
}

export function MachineTable({ machines, nowMillis }: MachineTableProps) {
  return (
    <table className="data-table" aria-label="Machines">
      <thead>
        <tr>
          <th scope="col">Host name</th>
          <th scope="col">Operating system</th>
          <th scope="col" className="num">
            CPU
          </th>
          <th scope="col" className="num">
            Memory
          </th>
          <th scope="col" className="num">
            Disk
          </th>
          <th scope="col" className="num">
            Users
          </th>
          <th scope="col">Last seen</th>
        </tr>
      </thead>
      <tbody>
        {machines.map((machine) => (
          <MachineRow key={machine.id} machine={machine} nowMillis={nowMillis} />
        ))}
      </tbody>
    </table>
  );
}

function MachineRow({ machine, nowMillis }: { machine: MachineSummary; nowMillis: number }) {
  return (
    <tr>
      <th scope="row">
        <a href={machineHash(machine.id)} title={machine.fqdn}>
          {machine.hostname}
        </a>
      </th>
      <td>{machine.os}</td>
      <td className="num">
        <UsageBar percent={machine.cpuPercent} text={formatPercent(machine.cpuPercent)} />
      </td>
      <td className="num">
        <UsageBar
          percent={percentOf(machine.memoryUsedBytes, machine.memoryTotalBytes)}
          text={formatUsedOfTotal(machine.memoryUsedBytes, machine.memoryTotalBytes)}
        />
      </td>
      <td className="num">
        <UsageBar
          percent={percentOf(machine.diskUsedBytes, machine.diskTotalBytes)}
          text={formatUsedOfTotal(machine.diskUsedBytes, machine.diskTotalBytes)}
        />
      </td>
      <td className="num">{machine.userCount}</td>
      <td>
        <RelativeTime iso={machine.lastSeenAt} nowMillis={nowMillis} />
      </td>
    </tr>
  );
}
