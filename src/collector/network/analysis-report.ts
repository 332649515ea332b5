import { addressText } from './address-format.js';
import type { AddressDirectory } from './attribution.js';
import { ignoredReasons, type SkipReason } from './capture-packet.js';
import { tcpConnState, udpConnState, type ConnState } from './conn-state.js';
import { ipProtocol } from './decoded-packet.js';
import type { Attribution, Flow, FlowSide } from './flow.js';
import { classify } from './protocol-classifier.js';
import type { FlowTracker } from './flow-tracker.js';

type Summary = { count: number; minSeconds: number; meanSeconds: number; maxSeconds: number };

/** What one side of a connection sent. Bytes are wire lengths, even from truncated captures. */
export interface SideReport {
  packets: number;
  bytes: number;
  payloadBytes: number;
  retransmissions: number;
  outOfOrder: number;
  zeroWindows: number;
  /** bytes / 1000 / duration; absent for connections of a single instant. */
  kilobytesPerSecond?: number;
}

/** Everything measured about one connection (definitions in docs/architecture.md). */
export interface ConnectionReport {
  id: number;
  transport: 'tcp' | 'udp';
  origAddress: string;
  origPort: number;
  respAddress: string;
  respPort: number;
  /** Time of the first packet, epoch seconds with nine decimals, as text to stay exact. */
  start: string;
  durationSeconds: number;
  protocol: string;
  protocolRule: 'payload' | 'port' | 'none';
  serverName?: string;
  connState: ConnState;
  history?: string;
  handshakeRttSeconds?: number;
  ackRtt?: Summary;
  responseTime?: Summary & { unanswered: number; exchanges: { at: string; seconds: number }[] };
  orig: SideReport;
  resp: SideReport;
  /** Per second with traffic: epoch second, bytes and packets each way. */
  perSecond: {
    second: number;
    origBytes: number;
    respBytes: number;
    origPackets: number;
    respPackets: number;
  }[];
  attribution?: Attribution;
  reusedPorts: boolean;
}

/** Builds the per-connection reports; addresses without a tag are looked up in `directory`. */
export function connectionReports(
  tracker: FlowTracker,
  directory?: AddressDirectory,
): ConnectionReport[] {
  return tracker.flows.map((flow) => connectionReport(flow, directory));
}

function connectionReport(flow: Flow, directory?: AddressDirectory): ConnectionReport {
  const baseSeconds = flow.baseSeconds;
  const tcp = flow.protocol === ipProtocol.tcp;
  const [orig, resp] = flow.sides;
  const durationSeconds = (flow.lastTimeNanos - flow.firstTimeNanos) / 1e9;
  const origAddress = addressText(flow.ipVersion, flow.addressWords, 0);
  const guess = classify(flow);
  const exchanges = flow.response.exchanges().map((e) => ({
    at: epochText(baseSeconds, e.requestTimeNanos),
    seconds: e.responseNanos / 1e9,
  }));
  const responseSummary = flow.response.stats.summary();
  const startSecond = Math.floor(flow.firstTimeNanos / 1e9) + baseSeconds;

  return {
    id: flow.id,
    transport: tcp ? 'tcp' : 'udp',
    origAddress,
    origPort: flow.origPort,
    respAddress: addressText(flow.ipVersion, flow.addressWords, 1),
    respPort: flow.respPort,
    start: epochText(baseSeconds, flow.firstTimeNanos),
    durationSeconds,
    protocol: guess.name,
    protocolRule: guess.rule,
    ...(flow.serverName !== undefined && { serverName: flow.serverName }),
    connState: tcp
      ? tcpConnState(
          orig.endpoint,
          resp.endpoint,
          flow.history.text,
          orig.payloadBytes,
          resp.payloadBytes,
        )
      : udpConnState(orig.packets, resp.packets),
    ...(tcp && { history: flow.history.text }),
    ...(flow.initialRttNanos !== 0 && { handshakeRttSeconds: flow.initialRttNanos / 1e9 }),
    ...(flow.ackRtt.count > 0 && { ackRtt: flow.ackRtt.summary() }),
    ...(responseSummary && {
      responseTime: { ...responseSummary, unanswered: flow.response.unanswered, exchanges },
    }),
    orig: sideReport(orig, durationSeconds),
    resp: sideReport(resp, durationSeconds),
    perSecond: flow.buckets.entries().map((bucket) => ({
      second: bucket.second + baseSeconds,
      origBytes: bucket.bytes[0],
      respBytes: bucket.bytes[1],
      origPackets: bucket.packets[0],
      respPackets: bucket.packets[1],
    })),
    attribution: flow.attribution ?? directory?.machineAt(origAddress, startSecond),
    reusedPorts: flow.reusedPorts,
  };
}

function sideReport(side: FlowSide, durationSeconds: number): SideReport {
  return {
    packets: side.packets,
    bytes: side.wireBytes,
    payloadBytes: side.payloadBytes,
    retransmissions: side.retransmissions,
    outOfOrder: side.outOfOrder,
    zeroWindows: side.zeroWindows,
    ...(durationSeconds > 0 && { kilobytesPerSecond: side.wireBytes / 1000 / durationSeconds }),
  };
}

/** Epoch seconds with nine decimals from the time base and a nanosecond offset, exactly. */
export function epochText(baseSeconds: number, offsetNanos: number): string {
  const seconds = Math.floor(offsetNanos / 1e9);
  const nanos = offsetNanos - seconds * 1e9;
  return `${baseSeconds + seconds}.${String(nanos).padStart(9, '0')}`;
}

/** Splits skip counts into damaged input and traffic that is simply not TCP or UDP. */
export function splitSkips(counts: Partial<Record<SkipReason, number>>) {
  const skipped: Partial<Record<SkipReason, number>> = {};
  const ignored: Partial<Record<SkipReason, number>> = {};
  for (const [reason, count] of Object.entries(counts) as [SkipReason, number][]) {
    (ignoredReasons.has(reason) ? ignored : skipped)[reason] = count;
  }
  return { skipped, ignored };
}
