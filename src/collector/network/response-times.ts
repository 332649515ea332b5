import { filled, grown, type ColumnGroup } from './column-group.js';
import { PooledLists } from './pooled-lists.js';
import { RunningStats } from './running-stats.js';
import type { SlabPool } from './slab-pool.js';

/** Exchanges kept one by one per connection; past this only the summary grows. */
export const maxExchangesKept = 1_000;
const exchangeStride = 2; // request time, response time

/**
 * Application response time per connection slot: from the first payload byte of a request (the
 * originator speaking after the responder, or first) to the first payload byte of the answer.
 * Retransmitted data starts nothing. A request the responder never answers is counted as
 * unanswered.
 */
export class ResponseTimes implements ColumnGroup {
  readonly stats: RunningStats;
  /** The response times since the connection's last interval record (see IntervalMarks). */
  readonly sinceRecord: RunningStats;
  unanswered: Uint32Array;
  private requestStartNanos: Float64Array;
  private readonly kept: PooledLists;

  constructor(pool: SlabPool, slots: number) {
    this.stats = new RunningStats(slots);
    this.sinceRecord = new RunningStats(slots);
    this.unanswered = new Uint32Array(slots);
    this.requestStartNanos = filled(Float64Array, slots, -1);
    this.kept = new PooledLists(pool, exchangeStride, 1, slots);
  }

  /**
   * A segment or datagram with new payload, from the originator or not. The time comes in the
   * packet (`timeNanos`) rather than as a number, which would be boxed on every call.
   */
  payload(slot: number, fromOriginator: boolean, packet: { readonly timeNanos: number }): void {
    const timeNanos = packet.timeNanos;
    const requestStart = this.requestStartNanos[slot]!;
    if (fromOriginator) {
      if (requestStart < 0) this.requestStartNanos[slot] = timeNanos;
      return;
    }
    if (requestStart < 0) return;
    const responseNanos = timeNanos - requestStart;
    this.stats.add(slot, responseNanos);
    this.sinceRecord.add(slot, responseNanos);
    const kept = this.kept;
    if (kept.count[slot]! < maxExchangesKept) {
      const at = kept.room(slot) + kept.count[slot]!++ * exchangeStride;
      kept.pool.data[at] = requestStart;
      kept.pool.data[at + 1] = responseNanos;
    }
    this.requestStartNanos[slot] = -1;
  }

  /** How many exchanges are kept (at most `maxExchangesKept`), in order. */
  keptCount(slot: number): number {
    return this.kept.count[slot]!;
  }

  /** When kept exchange `i` started, nanoseconds from the connection's base. */
  requestTimeNanos(slot: number, i: number): number {
    return this.kept.pool.data[this.kept.offset[slot]! + i * exchangeStride]!;
  }

  /** How long kept exchange `i` waited for its answer, in nanoseconds. */
  responseNanos(slot: number, i: number): number {
    return this.kept.pool.data[this.kept.offset[slot]! + i * exchangeStride + 1]!;
  }

  /** Ends the connection: a request still waiting is unanswered. */
  finish(slot: number): void {
    if (this.requestStartNanos[slot]! >= 0) this.unanswered[slot]!++;
    this.requestStartNanos[slot] = -1;
  }

  grow(slots: number): void {
    this.stats.grow(slots);
    this.sinceRecord.grow(slots);
    this.unanswered = grown(this.unanswered, slots);
    this.requestStartNanos = grown(this.requestStartNanos, slots, -1);
    this.kept.grow(slots);
  }

  clear(slot: number): void {
    this.stats.clear(slot);
    this.sinceRecord.clear(slot);
    this.unanswered[slot] = 0;
    this.requestStartNanos[slot] = -1;
    this.kept.clear(slot);
  }
}
