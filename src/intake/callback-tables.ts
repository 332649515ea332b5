import type { CallbackV1 } from '../protocol/callback-schema.js';

/** A callback as intake holds it: who sent it, through which collector, and when it arrived. */
export interface ReceivedCallback {
  agentId: string;
  callback: CallbackV1;
  /** The collector that took it; absent when the hub took it directly. */
  collectorId?: string;
  /** When the hub or collector first received it, in epoch milliseconds (default: now). */
  receivedAtMillis?: number;
}

/** One table's worth of COPY input. */
export interface TableRows {
  table: string;
  columns: readonly string[];
  text: string;
  count: number;
}

/** The columns intake fills in each table it loads with COPY. */
export const rowTables = {
  callbacks: [
    'callback_id',
    'machine_id',
    'component_id',
    'collector_id',
    'sampled_at',
    'received_at',
    'process_count',
  ],
  machine_samples: [
    'machine_id',
    'sampled_at',
    'callback_id',
    'cpu_percent',
    'load1',
    'memory_total_bytes',
    'memory_used_bytes',
    'disk_total_bytes',
    'disk_used_bytes',
  ],
  process_samples: [
    'machine_id',
    'sampled_at',
    'callback_id',
    'pid',
    'parent_pid',
    'name',
    'command',
    'account',
    'cpu_percent',
    'memory_rss_bytes',
    'started_at',
    'disk_read_bytes',
    'disk_write_bytes',
  ],
  connection_samples: [
    'machine_id',
    'sampled_at',
    'callback_id',
    'protocol',
    'local_address',
    'local_port',
    'remote_address',
    'remote_port',
    'state',
    'pid',
    'account',
  ],
  logon_events: [
    'machine_id',
    'callback_id',
    'at',
    'account',
    'event',
    'terminal',
    'from_address',
    'duration_millis',
    'session_millis',
    'phases',
  ],
  application_events: [
    'machine_id',
    'callback_id',
    'at',
    'event',
    'application',
    'pid',
    'account',
    'duration_millis',
  ],
  usage_samples: [
    'machine_id',
    'sampled_at',
    'callback_id',
    'kind',
    'key',
    'process_count',
    'cpu_percent',
    'memory_rss_bytes',
    'disk_read_bytes',
    'disk_write_bytes',
  ],
  display_session_samples: [
    'machine_id',
    'sampled_at',
    'callback_id',
    'protocol',
    'transport',
    'server_port',
    'client_address',
    'client_port',
    'process',
    'pid',
    'rtt_millis',
    'rtt_variation_millis',
    'min_rtt_millis',
    'bytes_sent',
    'bytes_received',
    'retransmitted_segments',
    'delivery_rate_bits_per_second',
  ],
  gpu_samples: [
    'machine_id',
    'sampled_at',
    'callback_id',
    'kind',
    'device',
    'name',
    'pid',
    'busy_percent',
    'memory_bytes',
    'memory_total_bytes',
  ],
  machine_series_points: [
    'machine_id',
    'sampled_at',
    'callback_id',
    'cpu_percent',
    'cpu_queue_per_core',
    'memory_used_bytes',
    'major_faults_per_second',
    'disk_latency_millis',
    'disk_iops',
    'disk_busy_percent',
  ],
  browser_site_samples: [
    'machine_id',
    'sampled_at',
    'callback_id',
    'browser',
    'account',
    'site',
    'page_loads',
    'load_millis_min',
    'load_millis_mean',
    'load_millis_max',
    'load_millis_p95',
    'first_byte_millis_mean',
    'first_paint_millis_mean',
    'transfer_bytes',
    'open_tabs',
    'js_heap_used_bytes',
  ],
} as const;

/** The tables intake loads with COPY, parents first so foreign keys hold. */
export const copiedTables = Object.keys(rowTables) as Array<keyof typeof rowTables>;
