/** The file systems of the latest sample, with how full each is. */
import type { DiskInfo } from './api-types';
import { formatBytes, formatUsedOfTotal, percentOf } from './format';
import { UsageBar } from './usage-bar';

export function DiskTable({ disks }: { disks: DiskInfo[] }) {
  const sorted = [...disks].sort((a, b) => a.mount.localeCompare(b.mount));

  return (
    <section aria-labelledby="disks-heading">
      <h2 id="disks-heading">Disks</h2>
      {sorted.length === 0 ? (
        <p className="empty-state">The latest sample lists no disks.</p>
      ) : (
        <table className="data-table" aria-label="Disks">
          <thead>
            <tr>
              <th scope="col">Mount</th>
              <th scope="col">Device</th>
              <th scope="col">Type</th>
              <th scope="col" className="num">
                Used
              </th>
              <th scope="col" className="num">
                Free
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((disk) => (
              <tr key={`${disk.mount}\u0000${disk.device}`}>
                <th scope="row">
                  <code>{disk.mount}</code>
                </th>
                <td>
                  <code>{disk.device}</code>
                </td>
                <td>{disk.fsType}</td>
                <td className="num">
                  <UsageBar
                    percent={percentOf(disk.usedBytes, disk.sizeBytes)}
                    text={formatUsedOfTotal(disk.usedBytes, disk.sizeBytes)}
                  />
                </td>
                <td className="num">{formatBytes(Math.max(0, disk.sizeBytes - disk.usedBytes))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
