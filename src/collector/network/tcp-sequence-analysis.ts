import { tcpFlag } from './decoded-packet.js';
import { ackedUnseen, classifyControl, duplicateAck, isProbe } from './tcp-control-marks.js';
import { SegmentMark, seqAfter, seqBefore, type TcpSequenceState } from './tcp-sequence-state.js';
import { acknowledge, remember } from './tcp-unacked-segments.js';

const fastRetransmissionWindowNanos = 20_000_000; // 20 ms after the last duplicate ACK
const outOfOrderDefaultNanos = 3_000_000; // 3 ms when the handshake gave no round trip

/** One segment, as the analysis sees it. */
export interface SegmentFacts {
  seq: number;
  ack: number;
  /** Payload bytes on the wire (tshark's tcp.len). */
  length: number;
  flags: number;
  window: number;
  timeNanos: number;
  /** The connection's handshake round trip so far, 0 when not known. */
  initialRttNanos: number;
  /** Set by the analysis: the ack round trip this segment completes, or -1. */
  ackRttNanos: number;
}

/**
 * Classifies a segment sent by direction `fwd` (retransmission, out of order, zero window...)
 * and takes what it acknowledges off direction `rev`'s unacknowledged list. Returns the
 * segment's marks; the acknowledgement round trip, when the segment acknowledges exactly the
 * end of an earlier segment, is in `s.ackRttNanos` (else -1). The rules are those of
 * Wireshark's TCP sequence analysis (tcp.analysis.*), so that every figure can be checked
 * against tshark.
 */
export function analyseSegment(
  state: TcpSequenceState,
  fwd: number,
  rev: number,
  s: SegmentFacts,
): number {
  rememberBase(state, fwd, rev, s);
  let marks = classifyControl(state, fwd, rev, s);
  if (
    (marks & (SegmentMark.keepAliveAck | SegmentMark.zeroWindowProbeAck)) === 0 &&
    !isProbe(marks)
  ) {
    marks |= duplicateAck(state, fwd, s);
  }

  if (s.ack !== state.lastAck[fwd]) state.duplicateAcks[fwd] = 0;
  marks |= ackedUnseen(state, rev, s);
  if (s.length > 0 || (s.flags & (tcpFlag.syn | tcpFlag.fin)) !== 0)
    marks |= retransmissionKind(state, fwd, rev, s, marks);

  remember(state, fwd, s, marks);
  acknowledge(state, rev, s);
  return marks;
}

function rememberBase(state: TcpSequenceState, fwd: number, rev: number, s: SegmentFacts) {
  if (state.baseSeqKnown[fwd] === 0) {
    state.baseSeq[fwd] = (s.flags & tcpFlag.syn) !== 0 ? s.seq : (s.seq - 1) >>> 0;
    state.baseSeqKnown[fwd] = 1;
  }
  // The first acknowledgement from this side fixes where the other side's numbering starts.
  if (state.baseSeqKnown[rev] === 0 && (s.flags & tcpFlag.ack) !== 0) {
    state.baseSeq[rev] = (s.ack - 1) >>> 0;
    state.baseSeqKnown[rev] = 1;
  }
}

function retransmissionKind(
  state: TcpSequenceState,
  fwd: number,
  rev: number,
  s: SegmentFacts,
  marks: number,
) {
  if (marks & SegmentMark.keepAlive) return 0;
  const nextSeq = state.nextSeq[fwd]!;
  let notAdvanced = nextSeq !== 0 && seqBefore(s.seq, nextSeq);
  // One byte below the next sequence number is a probe's place, not a resend, for real data.
  if (s.length > 1 && (nextSeq - 1) >>> 0 === s.seq) notAdvanced = false;

  const peerAck = state.lastAck[rev]!;
  if (s.length > 0 && peerAck !== 0 && !seqAfter((s.seq + s.length) >>> 0, peerAck)) {
    return SegmentMark.spuriousRetransmission;
  }
  const sinceAck = s.timeNanos - state.lastAckTimeNanos[rev]!;
  if (
    notAdvanced &&
    state.duplicateAcks[rev]! >= 2 &&
    peerAck === s.seq &&
    within(sinceAck, fastRetransmissionWindowNanos)
  ) {
    return SegmentMark.fastRetransmission;
  }
  const sinceNext = s.timeNanos - state.nextSeqTimeNanos[fwd]!;
  const threshold = s.initialRttNanos === 0 ? outOfOrderDefaultNanos : s.initialRttNanos;
  const end = (s.seq + s.length + ((s.flags & (tcpFlag.syn | tcpFlag.fin)) !== 0 ? 1 : 0)) >>> 0;
  if (notAdvanced && within(sinceNext, threshold) && nextSeq !== end) return SegmentMark.outOfOrder;
  return notAdvanced ? SegmentMark.retransmission : 0;
}

// The reference computes these differences unsigned: a clock that went backwards is "long ago".
function within(elapsedNanos: number, limitNanos: number): boolean {
  return elapsedNanos >= 0 && elapsedNanos < limitNanos;
}
