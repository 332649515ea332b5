import { tcpFlag } from './decoded-packet.js';
import type { SegmentFacts } from './tcp-sequence-analysis.js';
import { SegmentMark, seqAfter, type TcpSequenceState } from './tcp-sequence-state.js';

const synFinRst = tcpFlag.syn | tcpFlag.fin | tcpFlag.rst;

export function isProbe(marks: number): boolean {
  return (marks & SegmentMark.zeroWindowProbe) !== 0;
}

/**
 * Marks from a segment's control information: zero-window probes end the checks early, as do
 * keep-alive and probe acknowledgements (Wireshark's order and rules). `fwd` is the sending
 * direction, `rev` the other one.
 */
export function classifyControl(
  state: TcpSequenceState,
  fwd: number,
  rev: number,
  s: SegmentFacts,
): number {
  const plain = (s.flags & synFinRst) === 0;
  const nextSeq = state.nextSeq[fwd]!;
  if (s.length === 1 && s.seq === nextSeq && state.window[rev] === 0)
    return SegmentMark.zeroWindowProbe;

  let marks = 0;
  if (s.window === 0 && plain) marks |= SegmentMark.zeroWindow;
  if (nextSeq !== 0 && seqAfter(s.seq, nextSeq) && (s.flags & tcpFlag.rst) === 0) {
    marks |= SegmentMark.lostSegment;
  }
  if (s.length <= 1 && s.seq === (nextSeq - 1) >>> 0 && plain) marks |= SegmentMark.keepAlive;

  const window = state.window[fwd]!;
  const repeatsLast = s.length === 0 && s.seq === nextSeq && s.ack === state.lastAck[fwd] && plain;
  if (repeatsLast && s.window !== 0 && s.window !== window) marks |= SegmentMark.windowUpdate;
  const peerMarks = state.lastMarks[rev]!;
  if (repeatsLast && s.window !== 0 && s.window === window && peerMarks & SegmentMark.keepAlive) {
    return marks | SegmentMark.keepAliveAck;
  }
  if (repeatsLast && s.window === 0 && window === 0 && peerMarks & SegmentMark.zeroWindowProbe) {
    return marks | SegmentMark.zeroWindowProbeAck;
  }
  return marks;
}

export function duplicateAck(state: TcpSequenceState, fwd: number, s: SegmentFacts): number {
  const plain = (s.flags & synFinRst) === 0;
  if (!(s.length === 0 && s.window !== 0 && s.window === state.window[fwd] && plain)) return 0;
  if (s.seq !== state.nextSeq[fwd] || s.ack !== state.lastAck[fwd]) return 0;
  const previous = state.duplicateAcks[fwd]!;
  state.duplicateAcks[fwd] = previous === -1 ? 1 : previous + 1;
  return SegmentMark.duplicateAck;
}

export function ackedUnseen(state: TcpSequenceState, rev: number, s: SegmentFacts): number {
  const maxToBeAcked = state.maxSeqToBeAcked[rev]!;
  if (maxToBeAcked === 0 || !seqAfter(s.ack, maxToBeAcked) || (s.flags & tcpFlag.ack) === 0) {
    return 0;
  }
  // Plain (not sequence-space) comparison, as in the reference analysis.
  if (maxToBeAcked > state.nextSeq[rev]!) {
    state.maxSeqToBeAcked[rev] = state.nextSeq[rev]!;
    return SegmentMark.ackedUnseenSegment;
  }
  const first = state.duplicateAcks[rev] === 0;
  state.duplicateAcks[rev] = -1;
  return first ? SegmentMark.ackedUnseenSegment : 0;
}
