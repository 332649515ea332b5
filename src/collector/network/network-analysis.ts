import { connectionReports, splitSkips, type ConnectionReport } from './analysis-report.js';
import type { AddressDirectory, ConnectorTagDecoder } from './attribution.js';
import type { SkipReason } from './capture-packet.js';
import { readCaptureFile } from './capture-file-reader.js';
import { FlowTracker } from './flow-tracker.js';

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
}

/** Reads a pcap or pcapng file and measures every TCP and UDP connection in it. */
export async function analyzeCaptureFile(
  path: string,
  options: AnalysisOptions = {},
): Promise<AnalysisReport> {
  const tracker = new FlowTracker(options);
  const summary = await readCaptureFile(path, tracker, { chunkBytes: options.chunkBytes });
  tracker.finish();
  const connections = connectionReports(tracker, options.addressDirectory);
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
