import { tcpFlag, type DecodedPacket } from './decoded-packet.js';
import type { Flow } from './flow.js';
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
};
const ackRtt = { nanos: -1 };

/**
 * Applies one TCP segment sent by `side` to the connection: sequence analysis and ack round
 * trips, the handshake round trip, Zeek's endpoint states and history. Returns whether the
 * segment carried data not sent before (what response times count).
 */
export function trackTcpSegment(
  flow: Flow,
  side: number,
  p: DecodedPacket,
  timeNanos: number,
): boolean {
  const sender = flow.sides[side as 0 | 1];
  const receiver = flow.sides[(1 - side) as 0 | 1];
  facts.seq = p.seq;
  facts.ack = p.ack;
  facts.length = p.payloadLength;
  facts.flags = p.tcpFlags;
  facts.window = p.window;
  facts.timeNanos = timeNanos;
  facts.initialRttNanos = flow.initialRttNanos;

  const marks = analyseSegment(sender.sequence, receiver.sequence, facts, ackRtt);
  if (ackRtt.nanos >= 0) {
    flow.ackRtt.add(ackRtt.nanos);
    flow.ackRttSamples?.push(ackRtt.nanos);
  }
  if (marks & anyRetransmission) {
    sender.retransmissions++;
    flow.history.retransmission(side);
  }
  if (marks & SegmentMark.outOfOrder) sender.outOfOrder++;
  if (marks & SegmentMark.zeroWindow) {
    sender.zeroWindows++;
    flow.history.zeroWindow(side);
  }

  // The handshake round trip: the latest SYN to the first ACK without SYN, either way.
  const synAck = p.tcpFlags & (tcpFlag.syn | tcpFlag.ack);
  if (synAck === tcpFlag.syn) {
    flow.synSeen = true;
    flow.synTimeNanos = timeNanos;
  } else if (synAck === tcpFlag.ack && flow.synSeen && flow.initialRttNanos === 0) {
    flow.initialRttNanos = timeNanos - flow.synTimeNanos;
  }

  updateEndpoints(
    sender.endpoint,
    receiver.endpoint,
    side === 0,
    flow.sides[0].endpoint,
    p.tcpFlags,
    p.payloadLength,
  );
  flow.history.segment(side, p.tcpFlags, p.seq, p.payloadLength);
  return (marks & anyRetransmission) === 0;
}
