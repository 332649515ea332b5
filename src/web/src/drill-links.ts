/**
 * Where a list cell leads. Columns the hub marks with a link go to that machine, user or
 * application; a process id goes to that process on its machine, a remote address to that
 * destination. Detail pages show their related lists filtered by the list API's fields
 * (`machine`, `user`, `application`, `pid`, `address`).
 */
import type { ListColumn } from './api-types';
import { hashFor } from './use-hash-route';

type Row = Record<string, unknown>;

const text = (value: unknown): string | null =>
  typeof value === 'string' && value !== ''
    ? value
    : typeof value === 'number'
      ? String(value)
      : null;

/** The machine a row's machine cell names: `lastMachineId` beside `lastMachine`, else
 * `machineId`. */
const machineIdOf = (column: string, row: Row) => text(row[`${column}Id`]) ?? text(row.machineId);

/** The page a cell links to, or null when it is plain text. */
export function cellLink(list: string, column: ListColumn, row: Row): string | null {
  const value = text(row[column.key]);
  if (value === null) return null;

  switch (column.link) {
    case 'machine': {
      const id = machineIdOf(column.key, row);
      return id === null ? null : hashFor(['machines', id]);
    }
    case 'user':
      return hashFor(['users', value]);
    case 'application':
      return hashFor(['applications', value]);
  }
  const machineId = text(row.machineId);
  if (column.key === 'pid' && machineId !== null) {
    const application = text(row.application);
    return processHash(machineId, value, application);
  }
  if (column.key === 'remoteAddress' || (list === 'destinations' && column.key === 'address')) {
    return hashFor(['destinations', value]);
  }
  return null;
}

/** One process on one machine; `application` names it on its page when known. */
export function processHash(machineId: string, pid: string, application: string | null) {
  return hashFor(['processes', machineId, pid], application === null ? {} : { name: application });
}
