/** First wait after a delivery pass in which nobody answered: 30 seconds, doubling after. */
export const firstRetryDelayMillis = 30_000;
/** Longest wait the doubling reaches: 15 minutes. */
export const maxRetryDelayMillis = 15 * 60_000;
/** Each wait is moved by up to this share either way, so agents that failed together part. */
export const retryJitterRatio = 0.2;
/** Longest Retry-After the agent obeys; a larger one (a broken header) is held here: 1 hour. */
export const maxRetryAfterMillis = 60 * 60_000;

/**
 * When the agent may try to deliver again. After a pass in which no collector and not the hub
 * took anything, the wait doubles from `firstRetryDelayMillis` up to `maxRetryDelayMillis`,
 * with jitter; a receiver's Retry-After replaces the computed wait. Any acknowledgement ends
 * the back-off at once.
 */
export class DeliveryBackoff {
  private failures = 0;
  private readyAtMillis = Number.NEGATIVE_INFINITY;

  constructor(
    /** The time in epoch milliseconds; injected so tests drive it by hand. */
    private readonly nowMillis: () => number = Date.now,
    /** A number in [0, 1), as Math.random. */
    private readonly random: () => number = Math.random,
  ) {}

  /** Passes in a row that ended with nobody answering. */
  get failedPasses(): number {
    return this.failures;
  }

  /** True when a delivery may be tried now. */
  ready(): boolean {
    return this.nowMillis() >= this.readyAtMillis;
  }

  /** Milliseconds until a delivery may be tried; 0 when it may be tried now. */
  waitMillis(): number {
    return Math.max(0, this.readyAtMillis - this.nowMillis());
  }

  /**
   * A pass ended with callbacks still waiting. `retryAfterMillis` is what the receiver asked
   * for (0: nobody said). `madeProgress` says someone acknowledged part of it, so the wait
   * starts again from the first step. Returns the wait chosen, in milliseconds.
   */
  failed(retryAfterMillis: number, madeProgress = false): number {
    this.failures = madeProgress ? 1 : this.failures + 1;
    const waitMillis =
      retryAfterMillis > 0
        ? Math.min(retryAfterMillis, maxRetryAfterMillis)
        : this.jittered(this.exponentialMillis());
    this.readyAtMillis = this.nowMillis() + waitMillis;
    return waitMillis;
  }

  /** Everything waiting was acknowledged: the next attempt goes at the normal time. */
  succeeded(): void {
    this.failures = 0;
    this.readyAtMillis = Number.NEGATIVE_INFINITY;
  }

  private exponentialMillis(): number {
    return Math.min(maxRetryDelayMillis, firstRetryDelayMillis * 2 ** (this.failures - 1));
  }

  private jittered(baseMillis: number): number {
    const factor = 1 - retryJitterRatio + this.random() * 2 * retryJitterRatio;
    // Jitter may not carry the wait past the ceiling: the ceiling is a promise.
    return Math.min(maxRetryDelayMillis, Math.round(baseMillis * factor));
  }
}
