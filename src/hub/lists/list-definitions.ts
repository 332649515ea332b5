/**
 * The inspectors' lists, one table: what each list shows, how it may be filtered and sorted,
 * and the one SQL query that both the list API and the exports run. Every query is plain
 * PostgreSQL SQL that also runs on the embedded store. Time series are always read within a
 * time range, so day partitions of those tables are pruned.
 */

/** How the UI shows a value: bytes in bytes, percent 0 to 100, time ISO, duration in ms. */
export type ColumnType = 'text' | 'number' | 'bytes' | 'percent' | 'time' | 'duration';

/** The SQL type a value has in the query; cursor values are cast back to it. */
export type SqlType = 'text' | 'uuid' | 'timestamptz' | 'float8';

/** A detail page a cell links to; the row carries its key (machineId, user, application). */
export type LinkKind = 'machine' | 'user' | 'application';

export interface ColumnDefinition {
  key: string;
  label: string;
  type: ColumnType;
  sqlType: SqlType;
  link?: LinkKind;
  /** Never null: paging after a value of it can be an index range. */
  notNull?: boolean;
}

/** A filter's accepted values: a machine id, free text (exact match), a number, or a set. */
export type FilterKind =
  | { kind: 'uuid' }
  | { kind: 'text' }
  | { kind: 'integer' }
  | { kind: 'enum'; values: readonly string[] };

export type FilterDefinition = FilterKind & { label: string };

/**
 * Builds the WHERE clause of one branch of a list's query: given the SQL expression each
 * filter (and `time`) has in that branch, it returns the active conditions joined by AND.
 * An expression is compared for equality with the filter's value, unless it holds `$value`:
 * then it is a whole condition and `$value` stands for the value. A filter the branch cannot
 * answer makes the branch return nothing.
 */
export type WhereOf = (expressions: Record<string, string>) => string;

export interface ListDefinition {
  name: string;
  label: string;
  /** Whether the list reads time series and so takes `from` and `to` (default: last 24 h). */
  timeRange: boolean;
  /** Every key a row has, shown or not, in query output order. */
  columns: readonly ColumnDefinition[];
  /** Keys carried in rows for links and paging but not shown as columns. */
  hidden: readonly string[];
  filters: Readonly<Record<string, FilterDefinition>>;
  /** Columns `q` looks in (substring, any case). */
  search: readonly string[];
  sorts: readonly string[];
  defaultSort: { field: string; order: 'asc' | 'desc' };
  /** Columns that make each row unique (never null): the tie-breaker of every sort. */
  unique: readonly string[];
  /** The query: named columns (quoted, as `columns`), before paging. */
  query(where: WhereOf): string;
  /** The role a caller needs beyond viewer, for lists that are not everyone's to read. */
  role?: 'operator' | 'administrator';
}

const text = (key: string, label: string, link?: LinkKind): ColumnDefinition => ({
  key,
  label,
  type: 'text',
  sqlType: 'text',
  ...(link ? { link } : {}),
});
const id = (key: string, label: string): ColumnDefinition => ({
  key,
  label,
  type: 'text',
  sqlType: 'uuid',
});
const figure = (key: string, label: string, type: ColumnType = 'number'): ColumnDefinition => ({
  key,
  label,
  type,
  sqlType: 'float8',
});
const time = (key: string, label: string, notNull = false): ColumnDefinition => ({
  key,
  label,
  type: 'time',
  sqlType: 'timestamptz',
  ...(notNull ? { notNull } : {}),
});

/** What begins each row of a time series: when, and on which machine, from which callback. */
const sampleColumns = (timeKey: string, timeLabel: string): ColumnDefinition[] => [
  time(timeKey, timeLabel, true),
  id('machineId', 'Machine id'),
  id('callbackId', 'Callback id'),
  text('hostname', 'Machine', 'machine'),
];

const machineFilter: FilterDefinition = { kind: 'uuid', label: 'Machine (id)' };
const userFilter: FilterDefinition = { kind: 'text', label: 'User (account)' };
const applicationFilter: FilterDefinition = { kind: 'text', label: 'Application (executable)' };

const machines: ListDefinition = {
  name: 'machines',
  label: 'Machines',
  timeRange: false,
  columns: [
    id('machineId', 'Machine id'),
    text('hostname', 'Host name', 'machine'),
    text('fqdn', 'Full name'),
    text('os', 'Operating system'),
    figure('cpuCount', 'CPUs'),
    figure('cpuPercent', 'CPU', 'percent'),
    figure('memoryPercent', 'Memory', 'percent'),
    figure('memoryUsedBytes', 'Memory used', 'bytes'),
    figure('memoryTotalBytes', 'Memory', 'bytes'),
    figure('diskPercent', 'Disk', 'percent'),
    figure('diskUsedBytes', 'Disk used', 'bytes'),
    figure('users', 'Users'),
    time('lastSeenAt', 'Last seen'),
  ],
  hidden: ['machineId'],
  filters: {
    machine: machineFilter,
    user: { kind: 'text', label: 'Has had this user (account)' },
    os: { kind: 'text', label: 'Operating system' },
  },
  search: ['hostname', 'fqdn', 'os'],
  sorts: [
    'hostname',
    'os',
    'cpuPercent',
    'memoryPercent',
    'memoryUsedBytes',
    'diskPercent',
    'diskUsedBytes',
    'users',
    'lastSeenAt',
  ],
  defaultSort: { field: 'hostname', order: 'asc' },
  unique: ['machineId'],
  query: (where) => `
    SELECT m.id AS "machineId", m.hostname AS "hostname", m.fqdn AS "fqdn", m.os AS "os",
      m.cpu_count::float8 AS "cpuCount", m.cpu_percent::float8 AS "cpuPercent",
      round((100.0 * m.memory_used_bytes / nullif(m.memory_total_bytes, 0))::numeric, 1)::float8
        AS "memoryPercent",
      m.memory_used_bytes::float8 AS "memoryUsedBytes",
      m.memory_total_bytes::float8 AS "memoryTotalBytes",
      round((100.0 * m.disk_used_bytes / nullif(m.disk_total_bytes, 0))::numeric, 1)::float8
        AS "diskPercent",
      m.disk_used_bytes::float8 AS "diskUsedBytes", m.user_count::float8 AS "users",
      m.last_seen_at AS "lastSeenAt"
    FROM machines m
    WHERE ${where({
      machine: 'm.id',
      os: 'm.os',
      user: `EXISTS (SELECT 1 FROM machine_users mu JOIN users u ON u.id = mu.user_id
               WHERE mu.machine_id = m.id AND u.account = $value)`,
    })}`,
};

const users: ListDefinition = {
  name: 'users',
  label: 'Users',
  timeRange: false,
  columns: [
    id('userId', 'User id'),
    text('user', 'Account', 'user'),
    figure('machines', 'Machines'),
    text('lastMachine', 'Last machine', 'machine'),
    id('lastMachineId', 'Last machine id'),
    time('firstSeenAt', 'First seen'),
    time('lastSeenAt', 'Last seen'),
  ],
  hidden: ['userId', 'lastMachineId'],
  filters: { user: userFilter, machine: { kind: 'uuid', label: 'Has used this machine (id)' } },
  search: ['user', 'lastMachine'],
  sorts: ['user', 'machines', 'lastMachine', 'firstSeenAt', 'lastSeenAt'],
  defaultSort: { field: 'user', order: 'asc' },
  unique: ['userId'],
  query: (where) => `
    SELECT u.id AS "userId", u.account AS "user",
      (SELECT count(DISTINCT mu.machine_id) FROM machine_users mu WHERE mu.user_id = u.id)::float8
        AS "machines",
      last.hostname AS "lastMachine", last.id AS "lastMachineId",
      u.first_seen_at AS "firstSeenAt", u.last_seen_at AS "lastSeenAt"
    FROM users u
      LEFT JOIN LATERAL (
        SELECT m.id, m.hostname FROM machine_users mu JOIN machines m ON m.id = mu.machine_id
        WHERE mu.user_id = u.id ORDER BY mu.last_seen_at DESC, m.id LIMIT 1
      ) last ON true
    WHERE ${where({
      user: 'u.account',
      machine: `EXISTS (SELECT 1 FROM machine_users mu
                  WHERE mu.user_id = u.id AND mu.machine_id = $value)`,
    })}`,
};

// Applications: the agents' use per application (usage samples) and their application
// events, gathered per executable name over the range.
const applications: ListDefinition = {
  name: 'applications',
  label: 'Applications',
  timeRange: true,
  columns: [
    text('application', 'Application', 'application'),
    figure('machines', 'Machines'),
    figure('users', 'Users'),
    figure('cpuPercent', 'CPU (mean)', 'percent'),
    figure('memoryRssBytes', 'Memory (mean)', 'bytes'),
    figure('starts', 'Starts'),
    figure('notResponding', 'Not responding'),
    figure('loadMillis', 'Load time (mean)', 'duration'),
    time('lastSeenAt', 'Last seen'),
  ],
  hidden: [],
  filters: { machine: machineFilter, user: userFilter, application: applicationFilter },
  search: ['application'],
  sorts: [
    'application',
    'machines',
    'users',
    'cpuPercent',
    'memoryRssBytes',
    'starts',
    'notResponding',
    'loadMillis',
    'lastSeenAt',
  ],
  defaultSort: { field: 'machines', order: 'desc' },
  unique: ['application'],
  query: (where) => `
    SELECT a.application AS "application",
      count(DISTINCT a.machine_id)::float8 AS "machines",
      count(DISTINCT a.account)::float8 AS "users",
      round(avg(a.cpu_percent)::numeric, 2)::float8 AS "cpuPercent",
      round(avg(a.memory_rss_bytes))::float8 AS "memoryRssBytes",
      sum(a.starts)::float8 AS "starts", sum(a.hangs)::float8 AS "notResponding",
      round(avg(a.load_millis))::float8 AS "loadMillis", max(a.at) AS "lastSeenAt"
    FROM (
      SELECT s.key AS application, s.machine_id, NULL::text AS account, s.sampled_at AS at,
        s.cpu_percent::float8 AS cpu_percent, s.memory_rss_bytes::float8 AS memory_rss_bytes,
        0 AS starts, 0 AS hangs, NULL::float8 AS load_millis
      FROM usage_samples s
      WHERE s.kind = 'application' AND ${where({
        time: 's.sampled_at',
        machine: 's.machine_id',
        application: 's.key',
      })}
      UNION ALL
      SELECT e.application, e.machine_id, e.account, e.at, NULL, NULL,
        (e.event = 'started')::int, (e.event = 'not_responding')::int,
        CASE WHEN e.event = 'loaded' THEN e.duration_millis::float8 END
      FROM application_events e
      WHERE ${where({
        time: 'e.at',
        machine: 'e.machine_id',
        user: 'e.account',
        application: 'e.application',
      })}
    ) a
    GROUP BY a.application`,
};

const processes: ListDefinition = {
  name: 'processes',
  label: 'Processes',
  timeRange: true,
  columns: [
    ...sampleColumns('sampledAt', 'Sampled'),
    text('application', 'Process', 'application'),
    figure('pid', 'PID'),
    text('user', 'User', 'user'),
    figure('cpuPercent', 'CPU', 'percent'),
    figure('memoryRssBytes', 'Memory', 'bytes'),
    figure('diskReadBytes', 'Disk read', 'bytes'),
    figure('diskWriteBytes', 'Disk written', 'bytes'),
    time('startedAt', 'Started'),
    text('command', 'Command line'),
  ],
  hidden: ['machineId', 'callbackId'],
  filters: { machine: machineFilter, user: userFilter, application: applicationFilter },
  search: ['application', 'command', 'user', 'hostname'],
  sorts: [
    'sampledAt',
    'hostname',
    'application',
    'pid',
    'user',
    'cpuPercent',
    'memoryRssBytes',
    'diskReadBytes',
    'diskWriteBytes',
    'startedAt',
  ],
  defaultSort: { field: 'sampledAt', order: 'desc' },
  // A process id appears once in one callback.
  unique: ['callbackId', 'pid'],
  query: (where) => `
    SELECT p.sampled_at AS "sampledAt", p.machine_id AS "machineId",
      p.callback_id AS "callbackId", m.hostname AS "hostname", p.name AS "application",
      p.pid::float8 AS "pid", p.account AS "user", p.cpu_percent::float8 AS "cpuPercent",
      p.memory_rss_bytes::float8 AS "memoryRssBytes",
      p.disk_read_bytes::float8 AS "diskReadBytes",
      p.disk_write_bytes::float8 AS "diskWriteBytes", p.started_at AS "startedAt",
      p.command AS "command"
    FROM process_samples p LEFT JOIN machines m ON m.id = p.machine_id
    WHERE ${where({
      time: 'p.sampled_at',
      machine: 'p.machine_id',
      user: 'p.account',
      application: 'p.name',
    })}`,
};

const logons: ListDefinition = {
  name: 'logons',
  label: 'Logons',
  timeRange: true,
  columns: [
    ...sampleColumns('at', 'At'),
    text('user', 'User', 'user'),
    text('event', 'Event'),
    text('terminal', 'Terminal'),
    text('fromAddress', 'From'),
    { key: 'durationMillis', label: 'Logon time', type: 'duration', sqlType: 'float8' },
    { key: 'sessionMillis', label: 'Session length', type: 'duration', sqlType: 'float8' },
  ],
  hidden: ['machineId', 'callbackId'],
  filters: {
    machine: machineFilter,
    user: userFilter,
    event: { kind: 'enum', values: ['logon', 'logoff'], label: 'Event' },
  },
  search: ['user', 'hostname', 'terminal', 'fromAddress'],
  sorts: ['at', 'hostname', 'user', 'event', 'durationMillis', 'sessionMillis'],
  defaultSort: { field: 'at', order: 'desc' },
  // Not yet: two entries identical in every one of these columns within one callback can
  // only be told apart by a row id the table does not have; paging may show one of them.
  unique: ['callbackId', 'event', 'terminal', 'user', 'fromAddress'],
  query: (where) => `
    SELECT l.at AS "at", l.machine_id AS "machineId", l.callback_id AS "callbackId",
      m.hostname AS "hostname", l.account AS "user", l.event AS "event",
      l.terminal AS "terminal", l.from_address AS "fromAddress",
      l.duration_millis::float8 AS "durationMillis", l.session_millis::float8 AS "sessionMillis"
    FROM logon_events l LEFT JOIN machines m ON m.id = l.machine_id
    WHERE ${where({ time: 'l.at', machine: 'l.machine_id', user: 'l.account', event: 'l.event' })}`,
};

const connections: ListDefinition = {
  name: 'connections',
  label: 'Connections',
  timeRange: true,
  columns: [
    ...sampleColumns('sampledAt', 'Sampled'),
    text('protocol', 'Protocol'),
    text('localAddress', 'Local address'),
    figure('localPort', 'Local port'),
    text('remoteAddress', 'Remote address'),
    figure('remotePort', 'Remote port'),
    text('state', 'State'),
    figure('pid', 'PID'),
    text('user', 'User', 'user'),
  ],
  hidden: ['machineId', 'callbackId'],
  filters: {
    machine: machineFilter,
    user: userFilter,
    state: { kind: 'text', label: 'State' },
    protocol: { kind: 'enum', values: ['tcp', 'udp'], label: 'Protocol' },
    address: { kind: 'text', label: 'Remote address' },
    port: { kind: 'integer', label: 'Remote port' },
    pid: { kind: 'integer', label: 'Process id' },
  },
  search: ['remoteAddress', 'localAddress', 'hostname', 'user', 'state'],
  sorts: ['sampledAt', 'hostname', 'remoteAddress', 'remotePort', 'state', 'user', 'pid'],
  defaultSort: { field: 'sampledAt', order: 'desc' },
  unique: ['callbackId', 'protocol', 'localAddress', 'localPort', 'remoteAddress', 'remotePort'],
  query: (where) => `
    SELECT c.sampled_at AS "sampledAt", c.machine_id AS "machineId",
      c.callback_id AS "callbackId", m.hostname AS "hostname", c.protocol AS "protocol",
      c.local_address AS "localAddress", c.local_port::float8 AS "localPort",
      c.remote_address AS "remoteAddress", c.remote_port::float8 AS "remotePort",
      c.state AS "state", c.pid::float8 AS "pid", c.account AS "user"
    FROM connection_samples c LEFT JOIN machines m ON m.id = c.machine_id
    WHERE ${where({
      time: 'c.sampled_at',
      machine: 'c.machine_id',
      user: 'c.account',
      state: 'c.state',
      protocol: 'c.protocol',
      address: 'c.remote_address',
      port: 'c.remote_port',
      pid: 'c.pid',
    })}`,
};

// Remote endpoints: the far ends of connections agents reported, and the responders of flows
// network collectors saw, one row per address and port.
const destinations: ListDefinition = {
  name: 'destinations',
  label: 'Destinations',
  timeRange: true,
  columns: [
    text('address', 'Address'),
    figure('port', 'Port'),
    text('serverName', 'Server name'),
    figure('machines', 'Machines'),
    figure('users', 'Users'),
    figure('sightings', 'Times seen'),
    figure('bytes', 'Bytes (flows)', 'bytes'),
    time('lastSeenAt', 'Last seen'),
  ],
  hidden: [],
  filters: {
    machine: machineFilter,
    user: userFilter,
    protocol: { kind: 'enum', values: ['tcp', 'udp'], label: 'Protocol' },
    address: { kind: 'text', label: 'Address' },
    port: { kind: 'integer', label: 'Port' },
  },
  search: ['address', 'serverName'],
  sorts: ['address', 'port', 'serverName', 'machines', 'users', 'sightings', 'bytes', 'lastSeenAt'],
  defaultSort: { field: 'machines', order: 'desc' },
  unique: ['address', 'port'],
  query: (where) => `
    SELECT d.address AS "address", d.port::float8 AS "port", max(d.server_name) AS "serverName",
      count(DISTINCT d.machine_id)::float8 AS "machines",
      count(DISTINCT d.account)::float8 AS "users", count(*)::float8 AS "sightings",
      sum(d.bytes)::float8 AS "bytes", max(d.at) AS "lastSeenAt"
    FROM (
      SELECT c.remote_address AS address, c.remote_port AS port, NULL::text AS server_name,
        c.machine_id, c.account, NULL::float8 AS bytes, c.sampled_at AS at
      FROM connection_samples c
      WHERE ${where({
        time: 'c.sampled_at',
        machine: 'c.machine_id',
        user: 'c.account',
        protocol: 'c.protocol',
        address: 'c.remote_address',
        port: 'c.remote_port',
      })}
      UNION ALL
      SELECT host(f.resp_address), f.resp_port, f.server_name, f.machine_id, u.account,
        (f.orig_bytes + f.resp_bytes)::float8, f.interval_start
      FROM network_flows f LEFT JOIN users u ON u.id = f.user_id
      WHERE ${where({
        time: 'f.interval_start',
        machine: 'f.machine_id',
        user: 'u.account',
        protocol: 'f.transport',
        address: 'host(f.resp_address)',
        port: 'f.resp_port',
      })}
    ) d
    GROUP BY d.address, d.port`,
};

/**
 * Agents: what each runs (version, policy version) and when it last called back.
 * Not yet: how many callbacks wait in an agent's offline spool (agents do not report it).
 */
const agents: ListDefinition = {
  name: 'agents',
  label: 'Agents',
  timeRange: false,
  columns: [
    id('agentId', 'Agent id'),
    id('machineId', 'Machine id'),
    text('hostname', 'Machine', 'machine'),
    text('agentVersion', 'Agent version'),
    text('policy', 'Policy'),
    figure('policyVersion', 'Policy version it runs'),
    figure('policyLatest', 'Newest policy version'),
    text('status', 'State'),
    time('lastSeenAt', 'Last callback'),
    time('activatedAt', 'Activated', true),
  ],
  hidden: ['agentId', 'machineId'],
  filters: {
    status: { kind: 'enum', values: ['active', 'revoked'], label: 'State' },
    agentVersion: { kind: 'text', label: 'Agent version' },
    policy: { kind: 'text', label: 'Policy' },
  },
  search: ['hostname', 'agentVersion', 'policy'],
  sorts: ['hostname', 'agentVersion', 'policy', 'status', 'lastSeenAt', 'activatedAt'],
  defaultSort: { field: 'hostname', order: 'asc' },
  unique: ['agentId'],
  query: (where) => `
    SELECT c.id AS "agentId", m.id AS "machineId", coalesce(m.hostname, c.name) AS "hostname",
      c.agent_version AS "agentVersion", p.name AS "policy",
      c.policy_version::float8 AS "policyVersion", p.version::float8 AS "policyLatest",
      c.status AS "status", c.last_seen_at AS "lastSeenAt", c.activated_at AS "activatedAt"
    FROM components c
    LEFT JOIN machines m ON m.agent_id = c.id
    LEFT JOIN policies p ON p.id = c.policy_id
    WHERE c.kind = 'agent' AND ${where({
      status: 'c.status',
      agentVersion: 'c.agent_version',
      policy: 'p.name',
    })}`,
};

/** The change log, for administrators: searched, filtered and exported like any list. */
const changes: ListDefinition = {
  name: 'changes',
  label: 'Change log',
  timeRange: true,
  role: 'administrator',
  columns: [
    { key: 'at', label: 'At', type: 'time', sqlType: 'timestamptz', notNull: true },
    { key: 'id', label: 'Entry', type: 'number', sqlType: 'float8', notNull: true },
    text('actor', 'Who'),
    text('action', 'Action'),
    text('subject', 'Subject'),
    text('detail', 'Detail'),
  ],
  hidden: [],
  filters: {
    actor: { kind: 'text', label: 'Who' },
    action: { kind: 'text', label: 'Action' },
    subject: { kind: 'text', label: 'Subject' },
  },
  search: ['actor', 'action', 'subject', 'detail'],
  sorts: ['at', 'id', 'actor', 'action'],
  defaultSort: { field: 'at', order: 'desc' },
  unique: ['id'],
  query: (where) => `
    SELECT c.at AS "at", c.id::float8 AS "id", c.actor AS "actor", c.action AS "action",
      c.subject AS "subject", c.detail::text AS "detail"
    FROM change_log c
    WHERE ${where({ time: 'c.at', actor: 'c.actor', action: 'c.action', subject: 'c.subject' })}`,
};

/** Every list, by name. */
export const listDefinitions: Readonly<Record<string, ListDefinition>> = Object.fromEntries(
  [
    ...[machines, users, applications, processes, logons, connections, destinations],
    ...[agents, changes],
  ].map((list) => [list.name, list]),
);

/** What `GET /api/v1/lists` says of a list: enough for a UI to build its page. */
export function describeList(list: ListDefinition) {
  return {
    name: list.name,
    label: list.label,
    timeRange: list.timeRange,
    columns: list.columns
      .filter((column) => !list.hidden.includes(column.key))
      .map(({ key, label, type, link }) => ({ key, label, type, ...(link ? { link } : {}) })),
    filters: Object.entries(list.filters).map(([field, filter]) => ({ field, ...filter })),
    search: list.search,
    sorts: list.sorts,
    defaultSort: list.defaultSort,
  };
}
