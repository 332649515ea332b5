/**
 * Where a list cell leads: a host name to its machine, a user to their page, a process to
 * its connections, a destination to who talks to it. Detail pages show their related lists
 * filtered by the list API's field filters named here (`machine`, `user`, `process`,
 * `application`, `destination`).
 */
import { hashFor } from './use-hash-route';

type Row = Record<string, unknown>;

const text = (value: unknown): string | null =>
  typeof value === 'string' && value !== ''
    ? value
    : typeof value === 'number'
      ? String(value)
      : null;

/** The machine id a row names: `machineId` on most lists, `id` on the machine list. */
function machineIdOf(list: string, row: Row): string | null {
  return text(row.machineId) ?? text(row.machine_id) ?? (list === 'machines' ? text(row.id) : null);
}

/** A row's main name for the lists keyed by one (users, applications, destinations). */
const nameOf = (row: Row, ...keys: string[]) => keys.map((key) => text(row[key])).find(Boolean);

/** The page a cell links to, or null when it is plain text. */
export function cellLink(list: string, column: string, row: Row): string | null {
  const value = text(row[column]);
  if (value === null) return null;
  const machineId = machineIdOf(list, row);

  switch (column) {
    case 'hostname':
    case 'machine':
      return machineId === null ? null : hashFor(['machines', machineId]);
    case 'user':
    case 'account':
      return hashFor(['users', value]);
    case 'application':
      return hashFor(['applications', value]);
    case 'process':
      return machineId === null ? null : hashFor(['processes', machineId, value]);
    case 'destination':
      return hashFor(['destinations', value]);
  }
  if (column !== 'name' && column !== 'address') return null;
  if (list === 'users') return hashFor(['users', nameOf(row, 'name', 'user') ?? value]);
  if (list === 'applications') return hashFor(['applications', value]);
  if (list === 'destinations') return hashFor(['destinations', value]);
  if (list === 'processes' && machineId !== null) {
    return hashFor(['processes', machineId, value]);
  }
  return null;
}
