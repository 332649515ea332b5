import type { ConnectionReport } from './analysis-report.js';
import type { AnalysisReport } from './network-analysis.js';

const columns: [string, (c: ConnectionReport) => string | number | undefined][] = [
  ['id', (c) => c.id],
  ['transport', (c) => c.transport],
  ['orig_address', (c) => c.origAddress],
  ['orig_port', (c) => c.origPort],
  ['resp_address', (c) => c.respAddress],
  ['resp_port', (c) => c.respPort],
  ['start', (c) => c.start],
  ['duration_s', (c) => c.durationSeconds],
  ['protocol', (c) => c.protocol],
  ['protocol_rule', (c) => c.protocolRule],
  ['server_name', (c) => c.serverName],
  ['conn_state', (c) => c.connState],
  ['history', (c) => c.history],
  ['handshake_rtt_s', (c) => c.handshakeRttSeconds],
  ['ack_rtt_count', (c) => c.ackRtt?.count],
  ['ack_rtt_min_s', (c) => c.ackRtt?.minSeconds],
  ['ack_rtt_mean_s', (c) => c.ackRtt?.meanSeconds],
  ['ack_rtt_max_s', (c) => c.ackRtt?.maxSeconds],
  ['response_count', (c) => c.responseTime?.count],
  ['response_min_s', (c) => c.responseTime?.minSeconds],
  ['response_mean_s', (c) => c.responseTime?.meanSeconds],
  ['response_max_s', (c) => c.responseTime?.maxSeconds],
  ['orig_packets', (c) => c.orig.packets],
  ['resp_packets', (c) => c.resp.packets],
  ['orig_bytes', (c) => c.orig.bytes],
  ['resp_bytes', (c) => c.resp.bytes],
  ['orig_payload_bytes', (c) => c.orig.payloadBytes],
  ['resp_payload_bytes', (c) => c.resp.payloadBytes],
  ['orig_kBps', (c) => c.orig.kilobytesPerSecond],
  ['resp_kBps', (c) => c.resp.kilobytesPerSecond],
  ['retransmissions', (c) => c.orig.retransmissions + c.resp.retransmissions],
  ['out_of_order', (c) => c.orig.outOfOrder + c.resp.outOfOrder],
  ['zero_windows', (c) => c.orig.zeroWindows + c.resp.zeroWindows],
  ['machine_id', (c) => c.attribution?.machineId],
  ['user_id', (c) => c.attribution?.userId],
];

/** One CSV line per connection (RFC 4180 quoting); totals and skips are in the other forms. */
export function reportAsCsv(report: AnalysisReport): string {
  const lines = [columns.map(([name]) => name).join(',')];
  for (const c of report.connections)
    lines.push(columns.map(([, value]) => field(value(c))).join(','));
  return `${lines.join('\n')}\n`;
}

function field(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
