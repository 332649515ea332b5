/** How many sequence numbers below the highest seen are still accepted once, out of order. */
export const replayWindowSize = 1_024;

/**
 * Remembers which sequence numbers of one session have been accepted. A number is accepted
 * once; numbers that fall below the window are refused, since they can no longer be told
 * apart from replays.
 */
export class ReplayWindow {
  private highest = 0;
  private readonly seen = new Set<number>();

  /** Records `seq` and returns true when it is new; false for a replay. */
  accept(seq: number): boolean {
    if (seq <= this.highest - replayWindowSize || this.seen.has(seq)) return false;
    this.seen.add(seq);
    if (seq > this.highest) {
      this.highest = seq;
      for (const old of this.seen) if (old <= seq - replayWindowSize) this.seen.delete(old);
    }
    return true;
  }
}
