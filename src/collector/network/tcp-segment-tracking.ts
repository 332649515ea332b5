import { tcpFlag, type DecodedPacket } from './decoded-packet.js';
import type { FlowStore } from './flow-store.js';
import { analyseSegment, type SegmentFacts } from './tcp-sequence-analysis.js';
import { anyRetransmission, SegmentMark } from './tcp-sequence-state.js';
import { updateEndpoints } from './zeek-endpoint.js';

// Reused for every segment: the hot path makes no objects.
const facts: SegmentFacts = {
  seq: 0,
  ack: 0,
  length: 0,
  flags: 0,
  window: 0,
  timeNanos: 0,
  initialRttNanos: 0,
  ackRttNanos: -1,
};

/**
 * Applies one TCP segment sent by `side` (0: the originator) of the connection in `slot`:
 * sequence analysis and ack round trips, the handshake round trip, Zeek's endpoint states and
 * history. Returns whether the segment carried data not sent before (what response times
 * count). Every ack round trip is also pushed to `ackRttSamples` when given.
 */
export function trackTcpSegment(
  store: FlowStore,
  slot: number,
  side: number,
  p: DecodedPacket,
  ackRttSamples: number[] | undefined,
): boolean {
  const sender = slot * 2 + side;
  const receiver = slot * 2 + 1 - side;
  facts.seq = p.seq;
  facts.ack = p.ack;
  facts.length = p.payloadLength;
  facts.flags = p.tcpFlags;
  facts.window = p.window;
  facts.timeNanos = p.timeNanos;
  facts.initialRttNanos = store.initialRttNanos[slot]!;

  const marks = analyseSegment(store.sequence, sender, receiver, facts);
  if (facts.ackRttNanos >= 0) {
    store.ackRtt.add(slot, facts.ackRttNanos);
    store.intervals.ackRtt.add(slot, facts.ackRttNanos);
    ackRttSamples?.push(facts.ackRttNanos);
  }
  const counters = store.sides;
  if (marks & anyRetransmission) {
    counters.retransmissions[sender]!++;
    store.history.retransmission(sender);
  }
  if (marks & SegmentMark.outOfOrder) counters.outOfOrder[sender]!++;
  if (marks & SegmentMark.zeroWindow) {
    counters.zeroWindows[sender]!++;
    store.history.zeroWindow(sender);
  }

  // The handshake round trip: the latest SYN to the first ACK without SYN, either way.
  const synAck = p.tcpFlags & (tcpFlag.syn | tcpFlag.ack);
  if (synAck === tcpFlag.syn) {
    store.synNanos[slot] = p.timeNanos;
  } else if (
    synAck === tcpFlag.ack &&
    store.synNanos[slot] !== Number.NEGATIVE_INFINITY &&
    store.initialRttNanos[slot] === 0
  ) {
    store.initialRttNanos[slot] = p.timeNanos - store.synNanos[slot]!;
  }

  updateEndpoints(store.endpoints, sender, receiver, p.tcpFlags, p.payloadLength);
  store.history.segment(sender, facts);
  return (marks & anyRetransmission) === 0;
}
