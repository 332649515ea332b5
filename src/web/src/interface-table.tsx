/**
 * The network interfaces of the latest sample. Physical ones come first: on desktops the
 * virtual ones (bridges, VPN tunnels, containers) are many and rarely what people look for.
 */
import type { InterfaceInfo } from './api-types';
import { MISSING } from './format';

const speedFormat = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

function formatSpeed(speedMbps: number | null): string {
  if (speedMbps === null) return MISSING;
  if (speedMbps >= 1000) return `${speedFormat.format(speedMbps / 1000)} Gbit/s`;
  return `${speedFormat.format(speedMbps)} Mbit/s`;
}

export function InterfaceTable({ interfaces }: { interfaces: InterfaceInfo[] }) {
  const sorted = [...interfaces].sort(
    (a, b) => Number(a.isVirtual) - Number(b.isVirtual) || a.name.localeCompare(b.name),
  );

  return (
    <section aria-labelledby="interfaces-heading">
      <h2 id="interfaces-heading">Network interfaces</h2>
      {sorted.length === 0 ? (
        <p className="empty-state">The latest sample lists no network interfaces.</p>
      ) : (
        <table className="data-table" aria-label="Network interfaces">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">MAC address</th>
              <th scope="col">IPv4</th>
              <th scope="col">IPv6</th>
              <th scope="col" className="num">
                Speed
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((nic) => (
              <tr key={nic.name}>
                <th scope="row">{nic.name}</th>
                <td>{nic.isVirtual ? 'Virtual' : 'Physical'}</td>
                <td>
                  <code>{nic.mac || MISSING}</code>
                </td>
                <td className="addresses">{nic.ipv4.join(', ') || MISSING}</td>
                <td className="addresses">{nic.ipv6.join(', ') || MISSING}</td>
                <td className="num">{formatSpeed(nic.speedMbps)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
