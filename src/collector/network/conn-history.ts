import { tcpFlag } from './decoded-packet.js';

// Bits of what each side has been seen doing, for the letters written once per side; the
// responder's bits are these shifted left by 8.
const seen = { syn: 1, fin: 2, rst: 4, data: 8, ack: 16, inconsistent: 32, multiFlag: 64 } as const;
const logarithmicSteps = new Set([1, 10, 100, 1_000, 10_000, 100_000]);

/**
 * The connection history string of Zeek's conn.log: one letter per event, upper case for the
 * originator and lower case for the responder (S SYN, H SYN-ACK, A pure ACK, D data, F FIN,
 * R RST, I FIN and RST together, Q SYN with FIN or RST, T retransmission, W zero window).
 * A, D, I and Q appear once per side; S, H, F and R again when their sequence number changes;
 * T and W after 1, 10, 100... occurrences. Plain fields, no arrays: one of these per connection.
 */
export class ConnHistory {
  text = '';
  private seenBits = 0;
  private lastSyn0 = -1;
  private lastSyn1 = -1;
  private lastFin0 = -1;
  private lastFin1 = -1;
  private lastRst0 = -1;
  private lastRst1 = -1;
  private retransmissions0 = 0;
  private retransmissions1 = 0;
  private zeroWindows0 = 0;
  private zeroWindows1 = 0;

  /** Records one segment from the originator (side 0) or the responder (side 1). */
  segment(side: number, flags: number, seq: number, payloadLength: number): void {
    const syn = (flags & tcpFlag.syn) !== 0;
    const fin = (flags & tcpFlag.fin) !== 0;
    const rst = (flags & tcpFlag.rst) !== 0;
    if ((syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0) > 1) {
      return fin && rst
        ? this.once(side, seen.inconsistent, 'I')
        : this.once(side, seen.multiFlag, 'Q');
    }
    if (syn) {
      const letter = (flags & tcpFlag.ack) !== 0 ? 'H' : 'S';
      if (this.first(side, seen.syn) || seq !== (side === 0 ? this.lastSyn0 : this.lastSyn1))
        this.add(side, letter);
      if (side === 0) this.lastSyn0 = seq;
      else this.lastSyn1 = seq;
    } else if (fin) {
      // A FIN's place in the stream is after its data.
      const end = (seq + payloadLength) >>> 0;
      if (this.first(side, seen.fin) || end !== (side === 0 ? this.lastFin0 : this.lastFin1))
        this.add(side, 'F');
      if (side === 0) this.lastFin0 = end;
      else this.lastFin1 = end;
    } else if (rst) {
      if (this.first(side, seen.rst) || seq !== (side === 0 ? this.lastRst0 : this.lastRst1))
        this.add(side, 'R');
      if (side === 0) this.lastRst0 = seq;
      else this.lastRst1 = seq;
    } else if (payloadLength > 0) this.once(side, seen.data, 'D');
    else if ((flags & tcpFlag.ack) !== 0) this.once(side, seen.ack, 'A');
  }

  retransmission(side: number): void {
    const count = side === 0 ? ++this.retransmissions0 : ++this.retransmissions1;
    if (logarithmicSteps.has(count)) this.add(side, 'T');
  }

  zeroWindow(side: number): void {
    const count = side === 0 ? ++this.zeroWindows0 : ++this.zeroWindows1;
    if (logarithmicSteps.has(count)) this.add(side, 'W');
  }

  /** Whether this is the first time the side shows `bit`; marks it seen. */
  private first(side: number, bit: number): boolean {
    const mask = side === 0 ? bit : bit << 8;
    const first = (this.seenBits & mask) === 0;
    this.seenBits |= mask;
    return first;
  }

  private once(side: number, bit: number, letter: string): void {
    if (this.first(side, bit)) this.add(side, letter);
  }

  private add(side: number, letter: string): void {
    this.text += side === 0 ? letter : letter.toLowerCase();
  }
}
