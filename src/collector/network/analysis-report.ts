import type { AddressDirectory, Attribution } from './attribution.js';
import { ignoredReasons, type SkipReason } from './capture-packet.js';
import type { ConnState } from './conn-state.js';
import { connectionReport } from './connection-report.js';
import type { FlowTracker } from './flow-tracker.js';
import type { StatsSummary as Summary } from './running-stats.js';
import type { SecondCounts } from './traffic-buckets.js';

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

/** One request and its answer: when the request started (epoch text) and how long it took. */
export interface ExchangeReport {
  at: string;
  seconds: number;
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
  responseTime?: Summary & { unanswered: number; exchanges: ExchangeReport[] };
  orig: SideReport;
  resp: SideReport;
  /** Per second with traffic: epoch second, bytes and packets each way. */
  perSecond: SecondCounts[];
  attribution?: Attribution;
  reusedPorts: boolean;
}

/** Builds the per-connection reports; addresses without a tag are looked up in `directory`. */
export function connectionReports(
  tracker: FlowTracker,
  directory?: AddressDirectory,
): ConnectionReport[] {
  return tracker.store.liveSlots().map((slot) => connectionReport(tracker.store, slot, directory));
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
