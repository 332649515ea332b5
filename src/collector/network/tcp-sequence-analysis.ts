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
}

/**
 * Classifies a segment sent by `fwd` (retransmission, out of order, zero window...) and takes
 * what it acknowledges off `rev`'s unacknowledged list. Returns the segment's marks; the
 * acknowledgement round trip, when the segment acknowledges exactly the end of an earlier
 * segment, is in `ackRtt.nanos` (else -1). The rules are those of Wireshark's TCP sequence
 * analysis (tcp.analysis.*), so that every figure can be checked against tshark.
 */
export function analyseSegment(
  fwd: TcpSequenceState,
  rev: TcpSequenceState,
  s: SegmentFacts,
  ackRtt: { nanos: number },
): number {
  rememberBase(fwd, rev, s);
  let marks = classifyControl(fwd, rev, s);
  if (
    (marks & (SegmentMark.keepAliveAck | SegmentMark.zeroWindowProbeAck)) === 0 &&
    !isProbe(marks)
  ) {
    marks |= duplicateAck(fwd, s);
  }

  if (s.ack !== fwd.lastAck) fwd.duplicateAcks = 0;
  marks |= ackedUnseen(rev, s);
  if (s.length > 0 || (s.flags & (tcpFlag.syn | tcpFlag.fin)) !== 0)
    marks |= retransmissionKind(fwd, rev, s, marks);

  remember(fwd, s, marks);
  ackRtt.nanos = acknowledge(rev, s.ack, s.timeNanos);
  return marks;
}

function rememberBase(fwd: TcpSequenceState, rev: TcpSequenceState, s: SegmentFacts) {
  if (!fwd.baseSeqKnown) {
    fwd.baseSeq = (s.flags & tcpFlag.syn) !== 0 ? s.seq : (s.seq - 1) >>> 0;
    fwd.baseSeqKnown = true;
  }
  // The first acknowledgement from this side fixes where the other side's numbering starts.
  if (!rev.baseSeqKnown && (s.flags & tcpFlag.ack) !== 0) {
    rev.baseSeq = (s.ack - 1) >>> 0;
    rev.baseSeqKnown = true;
  }
}

function retransmissionKind(
  fwd: TcpSequenceState,
  rev: TcpSequenceState,
  s: SegmentFacts,
  marks: number,
) {
  if (marks & SegmentMark.keepAlive) return 0;
  let notAdvanced = fwd.nextSeq !== 0 && seqBefore(s.seq, fwd.nextSeq);
  // One byte below the next sequence number is a probe's place, not a resend, for real data.
  if (s.length > 1 && (fwd.nextSeq - 1) >>> 0 === s.seq) notAdvanced = false;

  if (s.length > 0 && rev.lastAck !== 0 && !seqAfter((s.seq + s.length) >>> 0, rev.lastAck)) {
    return SegmentMark.spuriousRetransmission;
  }
  const sinceAck = s.timeNanos - rev.lastAckTimeNanos;
  if (
    notAdvanced &&
    rev.duplicateAcks >= 2 &&
    rev.lastAck === s.seq &&
    within(sinceAck, fastRetransmissionWindowNanos)
  ) {
    return SegmentMark.fastRetransmission;
  }
  const sinceNext = s.timeNanos - fwd.nextSeqTimeNanos;
  const threshold = s.initialRttNanos === 0 ? outOfOrderDefaultNanos : s.initialRttNanos;
  const end = (s.seq + s.length + ((s.flags & (tcpFlag.syn | tcpFlag.fin)) !== 0 ? 1 : 0)) >>> 0;
  if (notAdvanced && within(sinceNext, threshold) && fwd.nextSeq !== end)
    return SegmentMark.outOfOrder;
  return notAdvanced ? SegmentMark.retransmission : 0;
}

// The reference computes these differences unsigned: a clock that went backwards is "long ago".
function within(elapsedNanos: number, limitNanos: number): boolean {
  return elapsedNanos >= 0 && elapsedNanos < limitNanos;
}
