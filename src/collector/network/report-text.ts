import type { ConnectionReport } from './analysis-report.js';
import type { AnalysisReport } from './network-analysis.js';

const millis = (seconds: number | undefined) =>
  seconds === undefined ? '-' : (seconds * 1000).toFixed(3);

/** A plain-text table: one line per connection, then totals and skipped packets by reason. */
export function reportAsTable(report: AnalysisReport): string {
  const header = [
    'id',
    'proto',
    'originator',
    'responder',
    'protocol',
    'state',
    'hs_rtt_ms',
    'ack_rtt_ms',
    'resp_ms',
    'pkts_o',
    'pkts_r',
    'bytes_o',
    'bytes_r',
    'kBps_o',
    'kBps_r',
    'retx',
    'ooo',
    'zwin',
  ];
  const rows = report.connections.map(row);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();

  const lines = [`${report.file} (${report.format})`, '', line(header), ...rows.map(line), ''];
  const t = report.totals;
  lines.push(
    `connections: ${t.connections} (tcp ${t.tcp}, udp ${t.udp}); ` +
      `packets: ${report.packets.read} read, ${report.packets.analysed} analysed; ` +
      `bytes: ${t.bytes}`,
  );
  lines.push(`skipped: ${counts(report.skipped)}`, `not TCP/UDP: ${counts(report.ignored)}`);
  if (report.message !== undefined) lines.push(`stopped early: ${report.message}`);
  return `${lines.join('\n')}\n`;
}

function row(c: ConnectionReport): string[] {
  const sni = c.serverName !== undefined ? ` ${c.serverName}` : '';
  return [
    String(c.id),
    c.transport,
    `${c.origAddress}:${c.origPort}`,
    `${c.respAddress}:${c.respPort}`,
    `${c.protocol}${sni}`,
    c.connState,
    millis(c.handshakeRttSeconds),
    c.ackRtt ? `${millis(c.ackRtt.meanSeconds)} (${c.ackRtt.count})` : '-',
    c.responseTime ? `${millis(c.responseTime.meanSeconds)} (${c.responseTime.count})` : '-',
    String(c.orig.packets),
    String(c.resp.packets),
    String(c.orig.bytes),
    String(c.resp.bytes),
    c.orig.kilobytesPerSecond?.toFixed(1) ?? '-',
    c.resp.kilobytesPerSecond?.toFixed(1) ?? '-',
    String(c.orig.retransmissions + c.resp.retransmissions),
    String(c.orig.outOfOrder + c.resp.outOfOrder),
    String(c.orig.zeroWindows + c.resp.zeroWindows),
  ];
}

function counts(byReason: Record<string, number | undefined>): string {
  const entries = Object.entries(byReason);
  return entries.length === 0 ? 'none' : entries.map(([reason, n]) => `${reason} ${n}`).join(', ');
}
