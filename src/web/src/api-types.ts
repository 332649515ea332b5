/**
 * Shapes of the hub's JSON API (version 1) as the web UI reads them. Numbers that come from
 * samples are null until the machine's first callback has been stored.
 */
import type { ActivationTokenView } from '../../protocol/activation-token-view';
import type { MachineSample } from '../../protocol/callback-schema';

export type {
  DiskInfo,
  InterfaceInfo,
  LoggedInUser,
  ProcessSample,
} from '../../protocol/callback-schema';
export type { MachineSample };
/** A named inspector filter kept on the hub (`/saved-filters`). */
export type { SavedFilter } from '../../protocol/saved-filter';

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

/** One column of a list, as `GET /lists/:list` describes it. */
export interface ListColumn {
  key: string;
  label: string;
  type: 'text' | 'number' | 'bytes' | 'percent' | 'time' | 'duration';
  /** The detail page the cell leads to; the row carries its key (`machineId`, ...). */
  link?: 'machine' | 'user' | 'application';
}

/** One page of a list. `nextCursor` is null on the last page. */
export interface ListPage {
  list: string;
  columns: ListColumn[];
  rows: Array<Record<string, unknown>>;
  nextCursor: string | null;
  total: number | null;
}

/** What `GET /lists` says of one list: columns, filter fields, sortable fields. */
export interface ListDescription {
  name: string;
  label: string;
  /** Whether the list takes `from` and `to`; lists of things (machines, users) do not. */
  timeRange: boolean;
  columns: ListColumn[];
  filters: Array<{ field: string; label?: string; kind: string; values?: string[] }>;
  sorts: string[];
  defaultSort: { field: string; order: 'asc' | 'desc' };
}

/** A collector as `GET /collectors` lists it. */
export interface CollectorSummary {
  id: string;
  name: string;
  state: string;
  intakeUrl: string | null;
  version: string;
  reportedAt: string | null;
  configVersion: number;
  appliedConfigVersion: number | null;
  queue: { records?: number; bytes?: number; [key: string]: unknown } | null;
}

/** A person who may sign in (`GET /people`). */
export interface PersonSummary {
  id: string;
  name: string;
  role: string;
  mustChangePassword: boolean;
  createdAt?: string;
}

/** One change-log entry (`GET /change-log`). */
export interface ChangeLogEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  subject: string;
  detail: Record<string, unknown>;
}

/** A policy (`GET /policies`); settings are those the hub's policy schema allows. */
export interface PolicySummary {
  id: string;
  name: string;
  kind: 'agent' | 'collector';
  version: number;
  isDefault?: boolean;
  settings: { callbackIntervalSeconds?: number; [key: string]: unknown };
  [key: string]: unknown;
}

/** An activation token as issued; the secret is shown once. */
export type ActivationTokenSummary = ActivationTokenView;

export interface IssuedActivationToken {
  token: string;
  [key: string]: unknown;
}

/** Experience bands, best first. */
export type Band = 'Good' | 'Fair' | 'Poor';

/** `GET /dashboard/overview`: counts, freshness and the latest scored day's bands. */
export interface DashboardOverview {
  machines: { total: number; reporting: number };
  users: { total: number; active: number };
  collectors: { total: number; reporting: number };
  freshness: { latestCallbackAt: string | null; latestRolledUpDay: string | null };
  scores: { day: string | null } & Record<Band, number>;
}

/** `GET /dashboard/worst-machines`. */
export interface WorstMachines {
  day: string | null;
  machines: Array<{
    machineId: string;
    hostname: string;
    score: number;
    band: Band;
    pulledDownBy: string[];
  }>;
}

/** `GET /dashboard/top-applications`. */
export interface TopApplications {
  applications: Array<{ application: string; meanCpuPercent: number; maxCpuPercent: number }>;
}

/** `GET /dashboard/network-latency`. */
export interface NetworkLatency {
  groups: Array<{ groupId: string; name: string; flows: number; p95Millis: number }>;
}
