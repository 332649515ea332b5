import { extended, filled, grown, type ColumnGroup } from './column-group.js';
import { tcpFlag } from './decoded-packet.js';
import type { SegmentFacts } from './tcp-sequence-analysis.js';

// Bits of what each side has been seen doing, for the letters written once per side; the
// responder's bits are these shifted left by 8.
const seen = { syn: 1, fin: 2, rst: 4, data: 8, ack: 16, inconsistent: 32, multiFlag: 64 } as const;
// Letters kept in the typed array per connection; a longer history goes on in a string.
const inlineLetters = 16;
const lowerCase = 0x20;
const letter = { S: 83, H: 72, A: 65, D: 68, F: 70, R: 82, I: 73, Q: 81, T: 84, W: 87 } as const;

/**
 * The connection history string of Zeek's conn.log: one letter per event, upper case for the
 * originator and lower case for the responder (S SYN, H SYN-ACK, A pure ACK, D data, F FIN,
 * R RST, I FIN and RST together, Q SYN with FIN or RST, T retransmission, W zero window).
 * A, D, I and Q appear once per side; S, H, F and R again when their sequence number changes;
 * T and W after 1, 10, 100... occurrences. Per side fields are indexed by slot * 2 + side.
 */
export class ConnHistory implements ColumnGroup {
  private seenBits: Uint16Array;
  private letters: Uint8Array;
  private letterCount: Uint16Array;
  private readonly overflow: (string | undefined)[] = [];
  private lastSyn: Float64Array;
  private lastFin: Float64Array;
  private lastRst: Float64Array;
  private retransmissions: Uint32Array;
  private zeroWindows: Uint32Array;

  constructor(slots: number) {
    this.seenBits = new Uint16Array(slots);
    this.letters = new Uint8Array(slots * inlineLetters);
    this.letterCount = new Uint16Array(slots);
    this.lastSyn = filled(Float64Array, slots * 2, -1);
    this.lastFin = filled(Float64Array, slots * 2, -1);
    this.lastRst = filled(Float64Array, slots * 2, -1);
    this.retransmissions = new Uint32Array(slots * 2);
    this.zeroWindows = new Uint32Array(slots * 2);
    extended(this.overflow, slots);
  }

  /** Records one segment sent by `side` (slot * 2 + 0 for the originator, + 1 otherwise). */
  segment(side: number, s: SegmentFacts): void {
    const { flags, seq, length: payloadLength } = s;
    const syn = (flags & tcpFlag.syn) !== 0;
    const fin = (flags & tcpFlag.fin) !== 0;
    const rst = (flags & tcpFlag.rst) !== 0;
    if ((syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0) > 1) {
      if (fin && rst) this.once(side, seen.inconsistent, letter.I);
      else this.once(side, seen.multiFlag, letter.Q);
    } else if (syn) {
      const code = (flags & tcpFlag.ack) !== 0 ? letter.H : letter.S;
      if (this.first(side, seen.syn) || seq !== this.lastSyn[side]) this.add(side, code);
      this.lastSyn[side] = seq;
    } else if (fin) {
      // A FIN's place in the stream is after its data.
      const end = (seq + payloadLength) >>> 0;
      if (this.first(side, seen.fin) || end !== this.lastFin[side]) this.add(side, letter.F);
      this.lastFin[side] = end;
    } else if (rst) {
      if (this.first(side, seen.rst) || seq !== this.lastRst[side]) this.add(side, letter.R);
      this.lastRst[side] = seq;
    } else if (payloadLength > 0) this.once(side, seen.data, letter.D);
    else if ((flags & tcpFlag.ack) !== 0) this.once(side, seen.ack, letter.A);
  }

  retransmission(side: number): void {
    if (isLogarithmicStep(++this.retransmissions[side]!)) this.add(side, letter.T);
  }

  zeroWindow(side: number): void {
    if (isLogarithmicStep(++this.zeroWindows[side]!)) this.add(side, letter.W);
  }

  /** The history of the connection in `slot`. */
  text(slot: number): string {
    const count = Math.min(this.letterCount[slot]!, inlineLetters);
    let text = '';
    for (let i = slot * inlineLetters; i < slot * inlineLetters + count; i++) {
      text += String.fromCharCode(this.letters[i]!);
    }
    return text + (this.overflow[slot] ?? '');
  }

  grow(slots: number): void {
    this.seenBits = grown(this.seenBits, slots);
    this.letters = grown(this.letters, slots * inlineLetters);
    this.letterCount = grown(this.letterCount, slots);
    this.lastSyn = grown(this.lastSyn, slots * 2, -1);
    this.lastFin = grown(this.lastFin, slots * 2, -1);
    this.lastRst = grown(this.lastRst, slots * 2, -1);
    this.retransmissions = grown(this.retransmissions, slots * 2);
    this.zeroWindows = grown(this.zeroWindows, slots * 2);
    extended(this.overflow, slots);
  }

  clear(slot: number): void {
    this.seenBits[slot] = 0;
    this.letterCount[slot] = 0;
    this.overflow[slot] = undefined;
    for (let side = slot * 2; side < slot * 2 + 2; side++) {
      this.lastSyn[side] = this.lastFin[side] = this.lastRst[side] = -1;
      this.retransmissions[side] = this.zeroWindows[side] = 0;
    }
  }

  /** Whether this is the first time the side shows `bit`; marks it seen. */
  private first(side: number, bit: number): boolean {
    const slot = side >> 1;
    const mask = (side & 1) === 0 ? bit : bit << 8;
    const first = (this.seenBits[slot]! & mask) === 0;
    this.seenBits[slot]! |= mask;
    return first;
  }

  private once(side: number, bit: number, code: number): void {
    if (this.first(side, bit)) this.add(side, code);
  }

  private add(side: number, code: number): void {
    const slot = side >> 1;
    const shown = (side & 1) === 0 ? code : code | lowerCase;
    const count = this.letterCount[slot]!;
    if (count < inlineLetters) this.letters[slot * inlineLetters + count] = shown;
    else this.overflow[slot] = (this.overflow[slot] ?? '') + String.fromCharCode(shown);
    if (count < 0xffff) this.letterCount[slot] = count + 1;
  }
}

function isLogarithmicStep(count: number): boolean {
  return (
    count === 1 ||
    count === 10 ||
    count === 100 ||
    count === 1_000 ||
    count === 10_000 ||
    count === 100_000
  );
}
