/**
 * Shapes of the hub's JSON API (version 1) as the web UI reads them. Numbers that come from
 * samples are null until the machine's first callback has been stored.
 */
import type { MachineSample } from '../../protocol/callback-schema';

export type {
  DiskInfo,
  InterfaceInfo,
  LoggedInUser,
  ProcessSample,
} from '../../protocol/callback-schema';
export type { MachineSample };

export interface SessionUser {
  name: string;
  /** 'administrator' for now; more roles arrive with policies. */
  role: string;
  /** True while the password is one an administrator or the console set. */
  mustChangePassword: boolean;
}

export interface SessionBody {
  user: SessionUser;
}

/** One row of the machine list. Byte counts are bytes; percentages are 0 to 100. */
export interface MachineSummary {
  id: string;
  hostname: string;
  fqdn: string;
  os: string;
  lastSeenAt: string; // ISO 8601
  cpuPercent: number | null;
  cpuCount: number;
  memoryTotalBytes: number | null;
  memoryUsedBytes: number | null;
  diskTotalBytes: number | null;
  diskUsedBytes: number | null;
  userCount: number;
}

export interface MachineListBody {
  machines: MachineSummary[];
}

export interface MachineDetail extends MachineSummary {
  cpuModel: string;
  kernel: string;
  arch: string;
  bootedAt: string | null; // ISO 8601
  firstSeenAt: string; // ISO 8601
}

/** One point of a machine's history, oldest first in the list the hub returns. */
export interface HistoryPoint {
  at: string; // ISO 8601
  cpuPercent: number | null;
  memoryUsedBytes: number | null;
  diskUsedBytes: number | null;
}

export interface MachineBody {
  machine: MachineDetail;
  latest: MachineSample | null;
  history: HistoryPoint[];
}

/** The body of every API error; `code` is stable, `message` is for people. */
export interface ApiErrorBody {
  code: string;
  message: string;
}

/** The site's Connector ID policy (`/connector-id/settings`). */
export interface ConnectorSettings {
  tagging: boolean;
  replayProtection: boolean;
  sourceUnbound: boolean;
}

/** A user number: 24 bits, bound to a fully-qualified account name. */
export interface ConnectorUserNumber {
  number: number;
  account: string;
  issued_at: string; // ISO 8601
  last_seen_at: string; // ISO 8601
}

/** A machine number: 24 bits, bound to a fingerprint, claimed by an agent. */
export interface ConnectorMachineNumber {
  number: number;
  status: 'active' | 'revoked';
  agent_id: string | null;
  agent_status: 'active' | 'revoked' | null;
  machine_id: string | null;
  hostname: string | null;
  issued_at: string; // ISO 8601
  last_seen_at: string; // ISO 8601
}

export interface ConnectorNumbersBody {
  users: ConnectorUserNumber[];
  machines: ConnectorMachineNumber[];
}
