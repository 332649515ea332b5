const fieldsPerBucket = 5; // second, bytes each way, packets each way

/**
 * Per-second byte and packet counts of one connection, each way. Only seconds with traffic
 * are stored, so memory grows with the packets, never with the time a capture spans; all of
 * it lives in one flat array, allocated on the first packet.
 */
export class TrafficBuckets {
  private data: number[] | undefined;
  private count = 0;

  /** Adds a packet of `wireBytes` sent by side 0 (originator) or 1, at `timeNanos` from the connection's base. */
  add(side: number, timeNanos: number, wireBytes: number): void {
    const second = Math.floor(timeNanos / 1e9);
    const data = (this.data ??= []);
    // Packets come almost always in time order: the last bucket or a new one at the end.
    let index = this.count - 1;
    while (index >= 0 && data[index * fieldsPerBucket]! > second) index--;
    if (index < 0 || data[index * fieldsPerBucket] !== second)
      index = this.insertAfter(data, index, second);
    const at = index * fieldsPerBucket;
    data[at + 1 + side]! += wireBytes;
    data[at + 3 + side]!++;
  }

  /** Seconds from the connection's base second, ascending, with bytes and packets each way. */
  entries(): { second: number; bytes: [number, number]; packets: [number, number] }[] {
    const data = this.data ?? [];
    return Array.from({ length: this.count }, (_, i) => {
      const at = i * fieldsPerBucket;
      return {
        second: data[at]!,
        bytes: [data[at + 1]!, data[at + 2]!],
        packets: [data[at + 3]!, data[at + 4]!],
      };
    });
  }

  private insertAfter(data: number[], index: number, second: number): number {
    const at = (index + 1) * fieldsPerBucket;
    data.splice(at, 0, second, 0, 0, 0, 0);
    this.count++;
    return index + 1;
  }
}
