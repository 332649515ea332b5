import { RunningStats } from './running-stats.js';

/** Exchanges kept one by one per connection; past this only the summary grows. */
export const maxExchangesKept = 1_000;

/** One request and its answer: when the request's first byte was sent, and how long it took. */
export interface Exchange {
  requestTimeNanos: number;
  responseNanos: number;
}

/**
 * Application response time: from the first payload byte of a request (the originator speaking
 * after the responder, or first) to the first payload byte of the answer. Retransmitted data
 * starts nothing. A request the responder never answers is counted as unanswered.
 */
export class ResponseTimes {
  readonly stats = new RunningStats();
  /**
   * Kept exchanges as flat pairs (request time, response time), allocated on the first
   * answer: one array per connection instead of one object per exchange.
   */
  private kept: number[] | undefined;
  unanswered = 0;
  private requestStartNanos = -1;

  /** A segment or datagram with new payload, from the originator or not, at `timeNanos`. */
  payload(fromOriginator: boolean, timeNanos: number): void {
    if (fromOriginator) {
      if (this.requestStartNanos < 0) this.requestStartNanos = timeNanos;
      return;
    }
    if (this.requestStartNanos < 0) return;
    const responseNanos = timeNanos - this.requestStartNanos;
    this.stats.add(responseNanos);
    const kept = (this.kept ??= []);
    if (kept.length < maxExchangesKept * 2) kept.push(this.requestStartNanos, responseNanos);
    this.requestStartNanos = -1;
  }

  /** The exchanges kept, in order (at most `maxExchangesKept`). */
  exchanges(): Exchange[] {
    const kept = this.kept ?? [];
    return Array.from({ length: kept.length / 2 }, (_, i) => ({
      requestTimeNanos: kept[2 * i]!,
      responseNanos: kept[2 * i + 1]!,
    }));
  }

  /** Ends the connection: a request still waiting is unanswered. */
  finish(): void {
    if (this.requestStartNanos >= 0) this.unanswered++;
    this.requestStartNanos = -1;
  }
}
