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

/**
 * What one direction of a TCP connection has sent so far, as the sequence analysis needs it.
 * Sequence numbers are unsigned 32-bit values; 0 in `nextSeq` and `maxSeqToBeAcked` means "none
 * yet", exactly as in the reference analysis, so that the two agree even in its corner cases.
 */
export class TcpSequenceState {
  baseSeqKnown = false;
  baseSeq = 0;
  /** One past the highest sequence number sent, and when it was sent (nanoseconds). */
  nextSeq = 0;
  nextSeqTimeNanos = Number.NEGATIVE_INFINITY;
  /** The highest sequence number sent without a gap before it. */
  maxSeqToBeAcked = 0;
  /** The acknowledgement number and window of this direction's last segment, and its time. */
  lastAck = 0;
  lastAckTimeNanos = Number.NEGATIVE_INFINITY;
  window = 0xffffffff;
  lastMarks = 0;
  /** Duplicate acknowledgements in a row; -1 after an acknowledgement of unseen data. */
  duplicateAcks = 0;
  /**
   * Segments sent and not yet acknowledged, oldest first: start, end (exclusive) and time, in
   * the first `unackedCount` entries. The arrays are reused, never shrunk: shrinking them on
   * every acknowledgement cost more than the analysis itself.
   */
  unackedCount = 0;
  unackedStart: number[] = [];
  unackedEnd: number[] = [];
  unackedTimeNanos: number[] = [];
}

/** a > b in 32-bit sequence space. */
export function seqAfter(a: number, b: number): boolean {
  return ((b - a) | 0) < 0;
}

/** a < b in 32-bit sequence space. */
export function seqBefore(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}
