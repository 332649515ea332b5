import { ConnHistory } from './conn-history.js';
import { ResponseTimes } from './response-times.js';
import { RunningStats } from './running-stats.js';
import { TcpSequenceState } from './tcp-sequence-state.js';
import { TrafficBuckets } from './traffic-buckets.js';
import { ZeekEndpoint } from './zeek-endpoint.js';

/** Who a connection belongs to, and how that was found out. */
export interface Attribution {
  machineId: number;
  userId?: number;
  /** "tag": a Connector ID tag in the traffic; "address": the machine last known at that IP. */
  source: 'tag' | 'address';
}

/** One direction of a connection: what it sent, and the analysis state of its sender. */
export class FlowSide {
  packets = 0;
  wireBytes = 0;
  payloadBytes = 0;
  retransmissions = 0;
  outOfOrder = 0;
  zeroWindows = 0;
  readonly sequence = new TcpSequenceState();
  readonly endpoint = new ZeekEndpoint();
}

/**
 * One TCP or UDP connection. Side 0 is the originator: the sender of the first SYN, the
 * receiver of a SYN-ACK seen first, otherwise the sender of the first packet. Times are
 * nanoseconds from `baseSeconds`.
 */
export class Flow {
  readonly sides: [FlowSide, FlowSide] = [new FlowSide(), new FlowSide()];
  /** Epoch second that this connection's times count from: that of its first packet. */
  readonly baseSeconds: number;
  readonly firstTimeNanos: number;
  lastTimeNanos: number;
  /** The most recent SYN's time (tshark's ts_mru_syn), and whether there was one. */
  synSeen = false;
  synTimeNanos = 0;
  /** SYN to the first ACK without SYN (tshark's tcp.analysis.initial_rtt); 0 when none. */
  initialRttNanos = 0;
  readonly ackRtt = new RunningStats();
  /** Every ack round trip, in order, when the tracker is asked to keep them (for checks). */
  ackRttSamples: number[] | undefined;
  readonly response = new ResponseTimes();
  readonly buckets = new TrafficBuckets();
  readonly history = new ConnHistory();
  /** Payload packets looked at for the protocol, and what they showed. */
  payloadsInspected = 0;
  payloadProtocol: string | undefined;
  serverName: string | undefined;
  attribution: Attribution | undefined;
  /** Set when a new SYN on the same addresses and ports started this connection over an old one. */
  reusedPorts = false;

  constructor(
    readonly id: number,
    readonly protocol: number,
    readonly ipVersion: number,
    /** Originator then responder address, as four 32-bit words each (IPv4: first word only). */
    readonly addressWords: Uint32Array,
    readonly origPort: number,
    readonly respPort: number,
    first: { timeSeconds: number; timeNanos: number },
  ) {
    this.baseSeconds = first.timeSeconds;
    this.firstTimeNanos = this.lastTimeNanos = first.timeNanos;
  }
}
