import { tcpFlag } from './decoded-packet.js';
import {
  maxUnackedSegments,
  SegmentMark,
  seqAfter,
  seqBefore,
  type TcpSequenceState,
} from './tcp-sequence-state.js';

const fastRetransmissionWindowNanos = 20_000_000; // 20 ms after the last duplicate ACK
const outOfOrderDefaultNanos = 3_000_000; // 3 ms when the handshake gave no round trip
const synFinRst = tcpFlag.syn | tcpFlag.fin | tcpFlag.rst;

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

function isProbe(marks: number): boolean {
  return (marks & SegmentMark.zeroWindowProbe) !== 0;
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

// Zero-window probes end the checks early, as do keep-alive and probe acknowledgements.
function classifyControl(fwd: TcpSequenceState, rev: TcpSequenceState, s: SegmentFacts): number {
  const plain = (s.flags & synFinRst) === 0;
  if (s.length === 1 && s.seq === fwd.nextSeq && rev.window === 0)
    return SegmentMark.zeroWindowProbe;

  let marks = 0;
  if (s.window === 0 && plain) marks |= SegmentMark.zeroWindow;
  if (fwd.nextSeq !== 0 && seqAfter(s.seq, fwd.nextSeq) && (s.flags & tcpFlag.rst) === 0) {
    marks |= SegmentMark.lostSegment;
  }
  if (s.length <= 1 && s.seq === (fwd.nextSeq - 1) >>> 0 && plain) marks |= SegmentMark.keepAlive;

  const repeatsLast = s.length === 0 && s.seq === fwd.nextSeq && s.ack === fwd.lastAck && plain;
  if (repeatsLast && s.window !== 0 && s.window !== fwd.window) marks |= SegmentMark.windowUpdate;
  if (
    repeatsLast &&
    s.window !== 0 &&
    s.window === fwd.window &&
    rev.lastMarks & SegmentMark.keepAlive
  ) {
    return marks | SegmentMark.keepAliveAck;
  }
  if (
    repeatsLast &&
    s.window === 0 &&
    fwd.window === 0 &&
    rev.lastMarks & SegmentMark.zeroWindowProbe
  ) {
    return marks | SegmentMark.zeroWindowProbeAck;
  }
  return marks;
}

function duplicateAck(fwd: TcpSequenceState, s: SegmentFacts): number {
  const plain = (s.flags & synFinRst) === 0;
  if (!(s.length === 0 && s.window !== 0 && s.window === fwd.window && plain)) return 0;
  if (s.seq !== fwd.nextSeq || s.ack !== fwd.lastAck) return 0;
  fwd.duplicateAcks = fwd.duplicateAcks === -1 ? 1 : fwd.duplicateAcks + 1;
  return SegmentMark.duplicateAck;
}

function ackedUnseen(rev: TcpSequenceState, s: SegmentFacts): number {
  if (
    rev.maxSeqToBeAcked === 0 ||
    !seqAfter(s.ack, rev.maxSeqToBeAcked) ||
    (s.flags & tcpFlag.ack) === 0
  ) {
    return 0;
  }
  // Plain (not sequence-space) comparison, as in the reference analysis.
  if (rev.maxSeqToBeAcked > rev.nextSeq) {
    rev.maxSeqToBeAcked = rev.nextSeq;
    return SegmentMark.ackedUnseenSegment;
  }
  const first = rev.duplicateAcks === 0;
  rev.duplicateAcks = -1;
  return first ? SegmentMark.ackedUnseenSegment : 0;
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

function remember(fwd: TcpSequenceState, s: SegmentFacts, marks: number) {
  let nextSeq = (s.seq + s.length) >>> 0;
  const synOrFin = (s.flags & (tcpFlag.syn | tcpFlag.fin)) !== 0;
  if ((s.length > 0 || synOrFin) && fwd.unackedCount < maxUnackedSegments) {
    if (synOrFin) nextSeq = (nextSeq + 1) >>> 0;
    const at = fwd.unackedCount++;
    fwd.unackedStart[at] = s.seq;
    fwd.unackedEnd[at] = nextSeq;
    fwd.unackedTimeNanos[at] = s.timeNanos;
  }
  const probe = isProbe(marks);
  if ((seqAfter(nextSeq, fwd.nextSeq) || fwd.nextSeq === 0) && !probe) {
    fwd.nextSeq = nextSeq;
    fwd.nextSeqTimeNanos = s.timeNanos;
  }
  if ((s.seq === fwd.maxSeqToBeAcked || fwd.maxSeqToBeAcked === 0) && !probe) {
    fwd.maxSeqToBeAcked = fwd.nextSeq;
  }
  fwd.window = s.window;
  fwd.lastAck = s.ack;
  fwd.lastAckTimeNanos = s.timeNanos;
  fwd.lastMarks = marks;
}

/**
 * Drops the segments of `rev` that `ack` covers. Returns the time since the oldest segment
 * that ends exactly at `ack` (the ack round trip), or -1 when none does.
 */
function acknowledge(rev: TcpSequenceState, ack: number, nowNanos: number): number {
  const count = rev.unackedCount;
  if (count === 0) return -1;
  const starts = rev.unackedStart;
  const ends = rev.unackedEnd;
  const times = rev.unackedTimeNanos;
  let rtt = -1;
  let kept = 0;
  for (let i = 0; i < count; i++) {
    const end = ends[i]!;
    if (end === ack) {
      if (rtt < 0) rtt = nowNanos - times[i]!;
      continue;
    }
    if (seqAfter(end, ack)) {
      // Still (partly) outstanding: a partial acknowledgement moves the segment's start.
      starts[kept] = seqAfter(ack, starts[i]!) ? ack : starts[i]!;
      ends[kept] = end;
      times[kept++] = times[i]!;
    }
  }
  rev.unackedCount = kept;
  return rtt;
}
