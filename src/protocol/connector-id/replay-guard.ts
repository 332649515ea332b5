/** How far a tag's time may be from the packet's capture time, by default: 60 s. */
export const defaultMaxClockSkewSeconds = 60;

/**
 * Remembers the tags accepted lately so that the same tag seen again is refused. A tag is
 * fresh when its time is within `maxSkewSeconds` of the packet's; a fresh tag is accepted once.
 * Tags are kept in two sets that take turns, each spanning 2 x skew seconds of packet time, so
 * every tag stays remembered for as long as it could pass as fresh, and memory holds only the
 * tags of the last few minutes.
 */
export class ReplayGuard {
  private current = new Set<number>();
  private previous = new Set<number>();
  private generationStart = -Infinity;
  private readonly spanSeconds: number;

  constructor(private readonly maxSkewSeconds = defaultMaxClockSkewSeconds) {
    this.spanSeconds = 2 * maxSkewSeconds;
  }

  /**
   * The tag's time offset from the packet's, in seconds, from its 16-bit time field: the
   * nearest value, so within about 9 hours either way.
   */
  static skewSeconds(time16: number, packetSeconds: number): number {
    return ((time16 - (packetSeconds & 0xffff) + 0x18000) & 0xffff) - 0x8000;
  }

  isFresh(time16: number, packetSeconds: number): boolean {
    return Math.abs(ReplayGuard.skewSeconds(time16, packetSeconds)) <= this.maxSkewSeconds;
  }

  /**
   * True the first time a MAC is offered, false for a repeat. `macHigh` and `macLow24` make a
   * 56-bit value; its top 53 bits are the key, exact in a double, so two different tags share
   * a key with odds of 1 in 2^53.
   */
  firstSight(macHigh: number, macLow24: number, packetSeconds: number): boolean {
    if (packetSeconds >= this.generationStart + this.spanSeconds) this.turn(packetSeconds);
    const key = macHigh * 0x200000 + (macLow24 >>> 3);
    if (this.current.has(key) || this.previous.has(key)) return false;
    this.current.add(key);
    return true;
  }

  private turn(packetSeconds: number) {
    // After a long quiet spell both sets are too old to matter.
    const longGap = packetSeconds >= this.generationStart + 2 * this.spanSeconds;
    this.previous = longGap ? new Set() : this.current;
    this.current = new Set();
    this.generationStart = packetSeconds;
  }
}
