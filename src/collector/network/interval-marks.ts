import { grown, type ColumnGroup } from './column-group.js';
import { RunningStats } from './running-stats.js';

/**
 * What each connection's interval records have covered so far, so that the next record holds
 * only what happened since: the counters as of the last record (by slot * 2 + side), the ack
 * round trips measured since (their minimum and maximum cannot be derived from totals; the
 * response times since are kept by ResponseTimes), and whether the handshake round trip was
 * reported yet.
 */
export class IntervalMarks implements ColumnGroup {
  /** Where the current interval starts, epoch seconds; 0 until the first record. */
  startSeconds: Float64Array;
  packets: Float64Array;
  wireBytes: Float64Array;
  payloadBytes: Float64Array;
  retransmissions: Float64Array;
  outOfOrder: Float64Array;
  zeroWindows: Float64Array;
  unanswered: Float64Array;
  handshakeReported: Uint8Array;
  readonly ackRtt: RunningStats;

  constructor(slots: number) {
    this.startSeconds = new Float64Array(slots);
    this.packets = new Float64Array(slots * 2);
    this.wireBytes = new Float64Array(slots * 2);
    this.payloadBytes = new Float64Array(slots * 2);
    this.retransmissions = new Float64Array(slots * 2);
    this.outOfOrder = new Float64Array(slots * 2);
    this.zeroWindows = new Float64Array(slots * 2);
    this.unanswered = new Float64Array(slots);
    this.handshakeReported = new Uint8Array(slots);
    this.ackRtt = new RunningStats(slots);
  }

  grow(slots: number): void {
    this.startSeconds = grown(this.startSeconds, slots);
    this.packets = grown(this.packets, slots * 2);
    this.wireBytes = grown(this.wireBytes, slots * 2);
    this.payloadBytes = grown(this.payloadBytes, slots * 2);
    this.retransmissions = grown(this.retransmissions, slots * 2);
    this.outOfOrder = grown(this.outOfOrder, slots * 2);
    this.zeroWindows = grown(this.zeroWindows, slots * 2);
    this.unanswered = grown(this.unanswered, slots);
    this.handshakeReported = grown(this.handshakeReported, slots);
    this.ackRtt.grow(slots);
  }

  clear(slot: number): void {
    this.startSeconds[slot] = 0;
    for (let side = slot * 2; side < slot * 2 + 2; side++) {
      this.packets[side] = this.wireBytes[side] = this.payloadBytes[side] = 0;
      this.retransmissions[side] = this.outOfOrder[side] = this.zeroWindows[side] = 0;
    }
    this.unanswered[slot] = 0;
    this.handshakeReported[slot] = 0;
    this.ackRtt.clear(slot);
  }
}
