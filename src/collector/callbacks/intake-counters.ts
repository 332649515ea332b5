import { intakeRefusals, type IntakeRefusalReason } from './intake-refusals.js';

/** Why the drainer set a queued callback aside instead of storing it. */
export type DrainDropReason = 'store_refused' | 'undecodable';

/**
 * What a callback collector has done since it started, reported to the hub on every report.
 * Every callback that is not stored is counted here under a reason.
 */
export class IntakeCounters {
  /** Callbacks made durable in the queue and acknowledged. */
  accepted = 0;
  /** Callbacks the store took (new), and those it already had (duplicates). */
  stored = 0;
  duplicates = 0;
  rowsStored = 0;
  /** Store writes that failed and were retried later (the store away, or erroring). */
  storeFailures = 0;
  lastStoreError: { at: string; message: string } | null = null;
  readonly refused = Object.fromEntries(
    Object.keys(intakeRefusals).map((reason) => [reason, 0]),
  ) as Record<IntakeRefusalReason, number>;
  readonly dropped: Record<DrainDropReason, number> = { store_refused: 0, undecodable: 0 };

  private last = { atMillis: Date.now(), accepted: 0, stored: 0, rows: 0 };

  /** Per-second rates since the previous call, and the counts themselves. */
  snapshot(nowMillis = Date.now()) {
    const seconds = Math.max(0.001, (nowMillis - this.last.atMillis) / 1_000);
    const rates = {
      acceptedPerSecond: round((this.accepted - this.last.accepted) / seconds),
      storedPerSecond: round((this.stored - this.last.stored) / seconds),
      rowsPerSecond: round((this.rowsStored - this.last.rows) / seconds),
    };
    this.last = {
      atMillis: nowMillis,
      accepted: this.accepted,
      stored: this.stored,
      rows: this.rowsStored,
    };
    return {
      accepted: this.accepted,
      stored: this.stored,
      duplicates: this.duplicates,
      rowsStored: this.rowsStored,
      storeFailures: this.storeFailures,
      lastStoreError: this.lastStoreError,
      refused: { ...this.refused },
      dropped: { ...this.dropped },
      ...rates,
    };
  }
}

const round = (value: number) => Math.round(value * 10) / 10;
