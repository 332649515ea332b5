import { tcpFlag } from './decoded-packet.js';
import { isProbe } from './tcp-control-marks.js';
import type { SegmentFacts } from './tcp-sequence-analysis.js';
import {
  maxUnackedSegments,
  seqAfter,
  unackedStride,
  type TcpSequenceState,
} from './tcp-sequence-state.js';

/** Records what direction `fwd` sent: its unacknowledged list, next sequence, ack and window. */
export function remember(state: TcpSequenceState, fwd: number, s: SegmentFacts, marks: number) {
  let nextSeq = (s.seq + s.length) >>> 0;
  const synOrFin = (s.flags & (tcpFlag.syn | tcpFlag.fin)) !== 0;
  const unacked = state.unacked;
  if ((s.length > 0 || synOrFin) && unacked.count[fwd]! < maxUnackedSegments) {
    if (synOrFin) nextSeq = (nextSeq + 1) >>> 0;
    const at = unacked.room(fwd) + unacked.count[fwd]!++ * unackedStride;
    const data = unacked.pool.data;
    data[at] = s.seq;
    data[at + 1] = nextSeq;
    data[at + 2] = s.timeNanos;
  }
  const probe = isProbe(marks);
  const sentNext = state.nextSeq[fwd]!;
  if ((seqAfter(nextSeq, sentNext) || sentNext === 0) && !probe) {
    state.nextSeq[fwd] = nextSeq;
    state.nextSeqTimeNanos[fwd] = s.timeNanos;
  }
  const maxToBeAcked = state.maxSeqToBeAcked[fwd]!;
  if ((s.seq === maxToBeAcked || maxToBeAcked === 0) && !probe) {
    state.maxSeqToBeAcked[fwd] = state.nextSeq[fwd]!;
  }
  state.window[fwd] = s.window;
  state.lastAck[fwd] = s.ack;
  state.lastAckTimeNanos[fwd] = s.timeNanos;
  state.lastMarks[fwd] = marks;
}

/**
 * Drops the segments of direction `rev` that the segment's acknowledgement covers, and sets
 * `s.ackRttNanos` to the time since the oldest one that ends exactly there (the ack round
 * trip), or -1 when none does. Numbers travel in `s`: as arguments they would be boxed.
 */
export function acknowledge(state: TcpSequenceState, rev: number, s: SegmentFacts): void {
  const unacked = state.unacked;
  const count = unacked.count[rev]!;
  s.ackRttNanos = -1;
  if (count === 0) return;
  const data = unacked.pool.data;
  const ack = s.ack;
  const first = unacked.offset[rev]!;
  const last = first + count * unackedStride;
  let kept = first;
  for (let at = first; at < last; at += unackedStride) {
    const end = data[at + 1]!;
    if (end === ack) {
      if (s.ackRttNanos < 0) s.ackRttNanos = s.timeNanos - data[at + 2]!;
      continue;
    }
    if (seqAfter(end, ack)) {
      // Still (partly) outstanding: a partial acknowledgement moves the segment's start.
      const start = data[at]!;
      data[kept] = seqAfter(ack, start) ? ack : start;
      data[kept + 1] = end;
      data[kept + 2] = data[at + 2]!;
      kept += unackedStride;
    }
  }
  unacked.count[rev] = (kept - first) / unackedStride;
}
