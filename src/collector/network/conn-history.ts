import { tcpFlag } from './decoded-packet.js';

// Bits of what each side has been seen doing, for the letters written once per side.
const seen = { syn: 1, fin: 2, rst: 4, data: 8, ack: 16, inconsistent: 32, multiFlag: 64 } as const;

/**
 * The connection history string of Zeek's conn.log: one letter per event, upper case for the
 * originator and lower case for the responder (S SYN, H SYN-ACK, A pure ACK, D data, F FIN,
 * R RST, I FIN and RST together, Q SYN with FIN or RST, T retransmission, W zero window).
 * A, D, I and Q appear once per side; S, H, F and R again when their sequence number changes;
 * T and W after 1, 10, 100... occurrences.
 */
export class ConnHistory {
  text = '';
  private readonly seenBits = [0, 0];
  private readonly lastSyn = [-1, -1];
  private readonly lastFin = [-1, -1];
  private readonly lastRst = [-1, -1];
  private readonly retransmissions = [0, 0];
  private readonly zeroWindows = [0, 0];

  /** Records one segment from the originator (side 0) or the responder (side 1). */
  segment(side: number, flags: number, seq: number, payloadLength: number): void {
    const syn = (flags & tcpFlag.syn) !== 0;
    const fin = (flags & tcpFlag.fin) !== 0;
    const rst = (flags & tcpFlag.rst) !== 0;
    const controlBits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
    if (controlBits > 1)
      return this.once(
        side,
        fin && rst ? seen.inconsistent : seen.multiFlag,
        fin && rst ? 'I' : 'Q',
      );
    if (syn)
      this.repeatable(side, seen.syn, this.lastSyn, seq, (flags & tcpFlag.ack) !== 0 ? 'H' : 'S');
    else if (fin) this.repeatable(side, seen.fin, this.lastFin, (seq + payloadLength) >>> 0, 'F');
    else if (rst) this.repeatable(side, seen.rst, this.lastRst, seq, 'R');
    else if (payloadLength > 0) this.once(side, seen.data, 'D');
    else if ((flags & tcpFlag.ack) !== 0) this.once(side, seen.ack, 'A');
  }

  retransmission(side: number): void {
    this.logarithmic(side, this.retransmissions, 'T');
  }

  zeroWindow(side: number): void {
    this.logarithmic(side, this.zeroWindows, 'W');
  }

  private once(side: number, bit: number, letter: string): void {
    if (this.seenBits[side]! & bit) return;
    this.seenBits[side]! |= bit;
    this.add(side, letter);
  }

  private repeatable(side: number, bit: number, last: number[], seq: number, letter: string) {
    const first = (this.seenBits[side]! & bit) === 0;
    if (first || last[side] !== seq) this.add(side, letter);
    this.seenBits[side]! |= bit;
    last[side] = seq;
  }

  private logarithmic(side: number, counts: number[], letter: string): void {
    const count = ++counts[side]!;
    if (count === 1 || count === 10 || count === 100 || count === 1000 || count === 10000)
      this.add(side, letter);
  }

  private add(side: number, letter: string): void {
    this.text += side === 0 ? letter : letter.toLowerCase();
  }
}
