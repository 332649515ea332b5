import { filled, grown, type ColumnGroup } from './column-group.js';
import { PooledLists } from './pooled-lists.js';
import type { SlabPool } from './slab-pool.js';

/** Marks the sequence analysis puts on a TCP segment; several may apply to one segment. */
export const SegmentMark = {
  retransmission: 0x0001,
  fastRetransmission: 0x0002,
  spuriousRetransmission: 0x0004,
  outOfOrder: 0x0008,
  zeroWindow: 0x0010,
  zeroWindowProbe: 0x0020,
  keepAlive: 0x0040,
  lostSegment: 0x0080,
  duplicateAck: 0x0100,
  windowUpdate: 0x0200,
  keepAliveAck: 0x0400,
  zeroWindowProbeAck: 0x0800,
  ackedUnseenSegment: 0x1000,
} as const;

/** Any of the marks that mean the segment carried data sent before. */
export const anyRetransmission =
  SegmentMark.retransmission | SegmentMark.fastRetransmission | SegmentMark.spuriousRetransmission;

/** tshark keeps at most this many unacknowledged segments per direction. */
export const maxUnackedSegments = 10_000;

/** Numbers per unacknowledged segment: start, end (exclusive), time sent in nanoseconds. */
export const unackedStride = 3;

const noSeq = 0;
const noWindowYet = 0xffffffff;

/**
 * What each direction of each TCP connection has sent so far, as the sequence analysis needs
 * it, indexed by slot * 2 + side. Sequence numbers are unsigned 32-bit values; 0 in `nextSeq`
 * and `maxSeqToBeAcked` means "none yet", exactly as in the reference analysis, so that the two
 * agree even in its corner cases.
 */
export class TcpSequenceState implements ColumnGroup {
  baseSeqKnown: Uint8Array;
  baseSeq: Uint32Array;
  /** One past the highest sequence number sent, and when it was sent (nanoseconds). */
  nextSeq: Uint32Array;
  nextSeqTimeNanos: Float64Array;
  /** The highest sequence number sent without a gap before it. */
  maxSeqToBeAcked: Uint32Array;
  /** The acknowledgement number and window of the direction's last segment, and its time. */
  lastAck: Uint32Array;
  lastAckTimeNanos: Float64Array;
  window: Uint32Array;
  lastMarks: Uint16Array;
  /** Duplicate acknowledgements in a row; -1 after an acknowledgement of unseen data. */
  duplicateAcks: Int32Array;
  /** Segments sent and not yet acknowledged, oldest first (`unackedStride` numbers each). */
  readonly unacked: PooledLists;

  constructor(pool: SlabPool, slots: number) {
    const sides = slots * 2;
    this.baseSeqKnown = new Uint8Array(sides);
    this.baseSeq = new Uint32Array(sides);
    this.nextSeq = new Uint32Array(sides);
    this.nextSeqTimeNanos = filled(Float64Array, sides, Number.NEGATIVE_INFINITY);
    this.maxSeqToBeAcked = new Uint32Array(sides);
    this.lastAck = new Uint32Array(sides);
    this.lastAckTimeNanos = filled(Float64Array, sides, Number.NEGATIVE_INFINITY);
    this.window = filled(Uint32Array, sides, noWindowYet);
    this.lastMarks = new Uint16Array(sides);
    this.duplicateAcks = new Int32Array(sides);
    this.unacked = new PooledLists(pool, unackedStride, 2, slots);
  }

  grow(slots: number): void {
    const sides = slots * 2;
    this.baseSeqKnown = grown(this.baseSeqKnown, sides);
    this.baseSeq = grown(this.baseSeq, sides);
    this.nextSeq = grown(this.nextSeq, sides);
    this.nextSeqTimeNanos = grown(this.nextSeqTimeNanos, sides, Number.NEGATIVE_INFINITY);
    this.maxSeqToBeAcked = grown(this.maxSeqToBeAcked, sides);
    this.lastAck = grown(this.lastAck, sides);
    this.lastAckTimeNanos = grown(this.lastAckTimeNanos, sides, Number.NEGATIVE_INFINITY);
    this.window = grown(this.window, sides, noWindowYet);
    this.lastMarks = grown(this.lastMarks, sides);
    this.duplicateAcks = grown(this.duplicateAcks, sides);
    this.unacked.grow(slots);
  }

  clear(slot: number): void {
    for (let side = slot * 2; side < slot * 2 + 2; side++) {
      this.baseSeqKnown[side] = 0;
      this.baseSeq[side] = 0;
      this.nextSeq[side] = noSeq;
      this.nextSeqTimeNanos[side] = Number.NEGATIVE_INFINITY;
      this.maxSeqToBeAcked[side] = noSeq;
      this.lastAck[side] = 0;
      this.lastAckTimeNanos[side] = Number.NEGATIVE_INFINITY;
      this.window[side] = noWindowYet;
      this.lastMarks[side] = 0;
      this.duplicateAcks[side] = 0;
    }
    this.unacked.clear(slot);
  }
}

/** a > b in 32-bit sequence space. */
export function seqAfter(a: number, b: number): boolean {
  return ((b - a) | 0) < 0;
}

/** a < b in 32-bit sequence space. */
export function seqBefore(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}
