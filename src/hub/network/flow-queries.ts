import type { Queryable, SqlParam } from '../../store/store.js';

/** What the network API groups flows by. */
export const flowDimensions = {
  machines: { key: 'f.machine_id::text', label: 'max(m.hostname)' },
  users: { key: 'f.user_id::text', label: 'max(u.account)' },
  // The process where an agent reported the connection, else the TLS name, else the protocol.
  applications: { key: 'coalesce(f.application, f.server_name, f.protocol)', label: 'NULL' },
  protocols: { key: 'f.protocol', label: 'NULL' },
  // The server by name where its TLS handshake said it, else by address; with its port.
  destinations: {
    key: "coalesce(f.server_name, host(f.resp_address)) || ':' || f.resp_port",
    label: 'NULL',
  },
} as const;
export type FlowDimension = keyof typeof flowDimensions;

/** Which flows: a time range (interval starts, epoch ms) and optional equality filters. */
export interface FlowFilter {
  fromMillis: number;
  toMillis: number;
  machineId?: string;
  userId?: string;
  protocol?: string;
  limit: number;
}

// Ended without ever being answered or established, or refused: what people call "failed".
const failedStates = "('S0', 'REJ', 'RSTOS0', 'RSTRH', 'SH', 'SHR')";

/** Flows over the range grouped by one dimension, busiest first. */
export async function flowsBy(db: Queryable, dimension: FlowDimension, filter: FlowFilter) {
  const { key, label } = flowDimensions[dimension];
  const { where, params } = whereOf(filter);
  return db.query(
    `SELECT ${key} AS key, ${label} AS label,
       count(DISTINCT (f.collector_id, f.connection_start, f.orig_address, f.orig_port,
         f.resp_address, f.resp_port))::integer AS connections,
       sum(f.orig_bytes)::float8 AS orig_bytes, sum(f.resp_bytes)::float8 AS resp_bytes,
       sum(f.orig_packets)::float8 AS orig_packets, sum(f.resp_packets)::float8 AS resp_packets,
       sum(f.orig_retransmissions + f.resp_retransmissions)::integer AS retransmissions,
       avg(f.handshake_rtt_seconds) AS handshake_rtt_mean_seconds,
       sum(f.ack_rtt_sum_seconds) / nullif(sum(f.ack_rtt_count), 0) AS ack_rtt_mean_seconds,
       min(f.ack_rtt_min_seconds) AS ack_rtt_min_seconds,
       max(f.ack_rtt_max_seconds) AS ack_rtt_max_seconds,
       sum(f.response_sum_seconds) / nullif(sum(f.response_count), 0)
         AS response_mean_seconds,
       max(f.response_max_seconds) AS response_max_seconds,
       sum(f.response_unanswered)::integer AS unanswered,
       count(*) FILTER (WHERE f.end_reason <> 'open' AND f.conn_state IN ${failedStates})::integer
         AS failed_connections,
       count(*) FILTER (WHERE f.end_reason <> 'open' AND f.conn_state IN ('RSTO', 'RSTR'))::integer
         AS reset_connections
     FROM network_flows f
       LEFT JOIN machines m ON m.id = f.machine_id
       LEFT JOIN users u ON u.id = f.user_id
     WHERE ${where}
     GROUP BY 1
     ORDER BY sum(f.orig_bytes + f.resp_bytes) DESC, 1
     LIMIT ${filter.limit}`,
    params,
  );
}

/** The flow rows themselves (one per connection and interval), newest first. */
export async function flowRows(db: Queryable, filter: FlowFilter) {
  const { where, params } = whereOf(filter);
  return db.query(
    `SELECT f.*, m.hostname, u.account
     FROM network_flows f
       LEFT JOIN machines m ON m.id = f.machine_id
       LEFT JOIN users u ON u.id = f.user_id
     WHERE ${where}
     ORDER BY f.interval_start DESC, f.connection_start DESC
     LIMIT ${filter.limit}`,
    params,
  );
}

/** Each network collector's latest status, as sent with its batches. */
export async function networkCollectors(db: Queryable) {
  return db.query(
    `SELECT n.collector_id, c.name, n.reported_at, n.status
     FROM network_collectors n LEFT JOIN components c ON c.id = n.collector_id
     ORDER BY c.name`,
  );
}

function whereOf(filter: FlowFilter): { where: string; params: SqlParam[] } {
  const params: SqlParam[] = [new Date(filter.fromMillis), new Date(filter.toMillis)];
  const clauses = ['f.interval_start >= $1', 'f.interval_start < $2'];
  const equal = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    params.push(value);
    clauses.push(`${column} = $${params.length}`);
  };
  equal('f.machine_id', filter.machineId);
  equal('f.user_id', filter.userId);
  equal('f.protocol', filter.protocol);
  return { where: clauses.join(' AND '), params };
}
