import { tcpFlag } from './decoded-packet.js';
import { isProbe } from './tcp-control-marks.js';
import type { SegmentFacts } from './tcp-sequence-analysis.js';
import { maxUnackedSegments, seqAfter, type TcpSequenceState } from './tcp-sequence-state.js';

/** Records what `fwd` sent: its unacknowledged list, next sequence number, ack and window. */
export function remember(fwd: TcpSequenceState, s: SegmentFacts, marks: number) {
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
export function acknowledge(rev: TcpSequenceState, ack: number, nowNanos: number): number {
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
