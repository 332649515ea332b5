import { filled, grown, type ColumnGroup } from './column-group.js';

/** Count, minimum, mean and maximum in seconds; what reports show of a series. */
export interface StatsSummary {
  count: number;
  minSeconds: number;
  meanSeconds: number;
  maxSeconds: number;
}

/**
 * Count, minimum, mean and maximum of a series of durations in nanoseconds per connection slot,
 * in O(1) memory each.
 */
export class RunningStats implements ColumnGroup {
  count: Float64Array;
  sumNanos: Float64Array;
  minNanos: Float64Array;
  maxNanos: Float64Array;

  constructor(slots: number) {
    this.count = new Float64Array(slots);
    this.sumNanos = new Float64Array(slots);
    this.minNanos = filled(Float64Array, slots, Number.POSITIVE_INFINITY);
    this.maxNanos = filled(Float64Array, slots, Number.NEGATIVE_INFINITY);
  }

  add(slot: number, nanos: number): void {
    this.count[slot]!++;
    this.sumNanos[slot]! += nanos;
    if (nanos < this.minNanos[slot]!) this.minNanos[slot] = nanos;
    if (nanos > this.maxNanos[slot]!) this.maxNanos[slot] = nanos;
  }

  /** Seconds, or undefined when there were no samples. */
  summary(slot: number): StatsSummary | undefined {
    const count = this.count[slot]!;
    if (count === 0) return undefined;
    return {
      count,
      minSeconds: this.minNanos[slot]! / 1e9,
      meanSeconds: this.sumNanos[slot]! / count / 1e9,
      maxSeconds: this.maxNanos[slot]! / 1e9,
    };
  }

  grow(slots: number): void {
    this.count = grown(this.count, slots);
    this.sumNanos = grown(this.sumNanos, slots);
    this.minNanos = grown(this.minNanos, slots, Number.POSITIVE_INFINITY);
    this.maxNanos = grown(this.maxNanos, slots, Number.NEGATIVE_INFINITY);
  }

  clear(slot: number): void {
    this.count[slot] = 0;
    this.sumNanos[slot] = 0;
    this.minNanos[slot] = Number.POSITIVE_INFINITY;
    this.maxNanos[slot] = Number.NEGATIVE_INFINITY;
  }
}
