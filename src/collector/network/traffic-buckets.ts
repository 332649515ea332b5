/**
 * Per-second byte and packet counts of one connection, each way. Only seconds with traffic
 * are stored, so memory grows with the packets, never with the time a capture spans.
 */
export class TrafficBuckets {
  /** Seconds relative to the connection's base second, ascending. */
  readonly seconds: number[] = [];
  readonly bytes: [number[], number[]] = [[], []];
  readonly packets: [number[], number[]] = [[], []];

  /** Adds a packet of `wireBytes` sent by side 0 (originator) or 1 at `timeNanos`. */
  add(side: number, timeNanos: number, wireBytes: number): void {
    const second = Math.floor(timeNanos / 1e9);
    const seconds = this.seconds;
    let index = seconds.length - 1;
    // Packets come almost always in time order: the last bucket or a new one at the end.
    while (index >= 0 && seconds[index]! > second) index--;
    if (index < 0 || seconds[index] !== second) index = this.insertAfter(index, second);
    this.bytes[side as 0 | 1][index]! += wireBytes;
    this.packets[side as 0 | 1][index]!++;
  }

  private insertAfter(index: number, second: number): number {
    const at = index + 1;
    this.seconds.splice(at, 0, second);
    for (const series of [...this.bytes, ...this.packets]) series.splice(at, 0, 0);
    return at;
  }
}
