/** Count, minimum, mean and maximum of a series of durations in nanoseconds, in O(1) memory. */
export class RunningStats {
  count = 0;
  sumNanos = 0;
  minNanos = Number.POSITIVE_INFINITY;
  maxNanos = Number.NEGATIVE_INFINITY;

  add(nanos: number): void {
    this.count++;
    this.sumNanos += nanos;
    if (nanos < this.minNanos) this.minNanos = nanos;
    if (nanos > this.maxNanos) this.maxNanos = nanos;
  }

  /** Seconds, or undefined when there were no samples. */
  summary():
    { count: number; minSeconds: number; meanSeconds: number; maxSeconds: number } | undefined {
    if (this.count === 0) return undefined;
    return {
      count: this.count,
      minSeconds: this.minNanos / 1e9,
      meanSeconds: this.sumNanos / this.count / 1e9,
      maxSeconds: this.maxNanos / 1e9,
    };
  }
}
