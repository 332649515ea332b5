import { grown, type ColumnGroup } from './column-group.js';

/** What each direction of each connection sent, indexed by slot * 2 + side (0: originator). */
export class SideCounters implements ColumnGroup {
  packets: Float64Array;
  /** Bytes on the wire (the original length, also when the capture kept fewer). */
  wireBytes: Float64Array;
  /** Transport payload bytes on the wire (TCP: tshark's tcp.len). */
  payloadBytes: Float64Array;
  retransmissions: Uint32Array;
  outOfOrder: Uint32Array;
  zeroWindows: Uint32Array;

  constructor(slots: number) {
    this.packets = new Float64Array(slots * 2);
    this.wireBytes = new Float64Array(slots * 2);
    this.payloadBytes = new Float64Array(slots * 2);
    this.retransmissions = new Uint32Array(slots * 2);
    this.outOfOrder = new Uint32Array(slots * 2);
    this.zeroWindows = new Uint32Array(slots * 2);
  }

  grow(slots: number): void {
    this.packets = grown(this.packets, slots * 2);
    this.wireBytes = grown(this.wireBytes, slots * 2);
    this.payloadBytes = grown(this.payloadBytes, slots * 2);
    this.retransmissions = grown(this.retransmissions, slots * 2);
    this.outOfOrder = grown(this.outOfOrder, slots * 2);
    this.zeroWindows = grown(this.zeroWindows, slots * 2);
  }

  clear(slot: number): void {
    for (let side = slot * 2; side < slot * 2 + 2; side++) {
      this.packets[side] = this.wireBytes[side] = this.payloadBytes[side] = 0;
      this.retransmissions[side] = this.outOfOrder[side] = this.zeroWindows[side] = 0;
    }
  }
}
