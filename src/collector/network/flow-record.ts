import type { ConnState } from './conn-state.js';
import type { EndReason } from './connection-ends.js';

/** What one direction sent during the interval. */
export interface IntervalCounts {
  packets: number;
  bytes: number;
  payloadBytes: number;
  retransmissions: number;
  outOfOrder: number;
  zeroWindows: number;
}

/** Count, sum, minimum and maximum of durations in nanoseconds; count 0 when none. */
export interface NanosStats {
  count: number;
  sumNanos: number;
  minNanos: number;
  maxNanos: number;
}

/**
 * One connection over one interval (a minute of capture time, or less at its start and end):
 * what the collector keeps on disk and sends to the hub. Counts cover the interval only;
 * state, history and protocol are as of its end.
 */
export interface FlowRecord {
  transport: 'tcp' | 'udp';
  origAddress: string;
  origPort: number;
  respAddress: string;
  respPort: number;
  /** The connection's first packet: epoch seconds and nanoseconds. */
  startSeconds: number;
  startNanos: number;
  intervalStartSeconds: number;
  intervalEndSeconds: number;
  /** 'open' while the connection goes on; otherwise why it ended (its last record). */
  end: 'open' | EndReason;
  connState: ConnState;
  history: string;
  protocol: string;
  protocolRule: 'payload' | 'port' | 'none';
  serverName?: string;
  orig: IntervalCounts;
  resp: IntervalCounts;
  /** In the record of the interval in which the handshake completed. */
  handshakeRttNanos?: number;
  ackRtt: NanosStats;
  responseTime: NanosStats & { unanswered: number };
  /** Connector ID numbers from a tag in the traffic; the hub resolves them. */
  tag?: { machineNumber: number; userNumber?: number };
}
