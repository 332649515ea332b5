import { splitSkips, type ConnectionReport } from './analysis-report.js';
import type { AddressDirectory, ConnectorTagDecoder } from './attribution.js';
import type { SkipReason } from './capture-packet.js';
import { readCaptureFile } from './capture-file-reader.js';
import { connectionReport } from './connection-report.js';
import { FlowTracker } from './flow-tracker.js';
import type { IdleTimeouts } from './idle-timeouts.js';

/** The result of analysing one capture file. */
export interface AnalysisReport {
  file: string;
  format: string;
  /** Why reading stopped early, if it did (damaged or truncated input). */
  message?: string;
  packets: { read: number; analysed: number };
  /** Damaged or unusable input, by reason. */
  skipped: Partial<Record<SkipReason, number>>;
  /** Traffic that is not TCP or UDP over IP (ARP, ICMP...), by reason. */
  ignored: Partial<Record<SkipReason, number>>;
  connections: ConnectionReport[];
  totals: { connections: number; tcp: number; udp: number; bytes: number; packets: number };
}

export interface AnalysisOptions {
  tagDecoder?: ConnectorTagDecoder;
  addressDirectory?: AddressDirectory;
  keepAckRttSamples?: boolean;
  chunkBytes?: number;
  /** Idle timeouts by state: a connection silent for longer ends; a later packet starts anew. */
  idleTimeouts?: Partial<IdleTimeouts>;
}

/** Reads a pcap or pcapng file and measures every TCP and UDP connection in it. */
export async function analyzeCaptureFile(
  path: string,
  options: AnalysisOptions = {},
): Promise<AnalysisReport> {
  // Connections are reported as they end, so a long capture runs in bounded memory.
  const connections: ConnectionReport[] = [];
  const tracker = new FlowTracker({
    ...options,
    onConnectionEnd: (store, slot) =>
      connections.push(connectionReport(store, slot, options.addressDirectory)),
  });
  const summary = await readCaptureFile(path, tracker, { chunkBytes: options.chunkBytes });
  tracker.finish();
  connections.sort((a, b) => a.id - b.id);
  return {
    file: path,
    format: summary.format,
    ...(summary.stopMessage !== undefined && { message: summary.stopMessage }),
    packets: { read: tracker.packetsSeen, analysed: tracker.packetsAnalysed },
    ...splitSkips(tracker.skipped),
    connections,
    totals: {
      connections: connections.length,
      tcp: connections.filter((c) => c.transport === 'tcp').length,
      udp: connections.filter((c) => c.transport === 'udp').length,
      bytes: connections.reduce((sum, c) => sum + c.orig.bytes + c.resp.bytes, 0),
      packets: connections.reduce((sum, c) => sum + c.orig.packets + c.resp.packets, 0),
    },
  };
}
