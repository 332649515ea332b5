import { tcpFlag } from './decoded-packet.js';
import type { SegmentFacts } from './tcp-sequence-analysis.js';
import { SegmentMark, seqAfter, type TcpSequenceState } from './tcp-sequence-state.js';

const synFinRst = tcpFlag.syn | tcpFlag.fin | tcpFlag.rst;

export function isProbe(marks: number): boolean {
  return (marks & SegmentMark.zeroWindowProbe) !== 0;
}

/**
 * Marks from a segment's control information: zero-window probes end the checks early, as do
 * keep-alive and probe acknowledgements (Wireshark's order and rules).
 */
export function classifyControl(
  fwd: TcpSequenceState,
  rev: TcpSequenceState,
  s: SegmentFacts,
): number {
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

export function duplicateAck(fwd: TcpSequenceState, s: SegmentFacts): number {
  const plain = (s.flags & synFinRst) === 0;
  if (!(s.length === 0 && s.window !== 0 && s.window === fwd.window && plain)) return 0;
  if (s.seq !== fwd.nextSeq || s.ack !== fwd.lastAck) return 0;
  fwd.duplicateAcks = fwd.duplicateAcks === -1 ? 1 : fwd.duplicateAcks + 1;
  return SegmentMark.duplicateAck;
}

export function ackedUnseen(rev: TcpSequenceState, s: SegmentFacts): number {
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
