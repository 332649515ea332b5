import type { PreparedCallbacks, ReceivedCallback } from '../../intake/store-callbacks.js';

/** What became of a batch handed to the store. */
export type SinkOutcome =
  | { kind: 'stored'; stored: number; duplicates: number; rows: number }
  /** The store refuses this batch as it is (a value it cannot hold): split it, find the one. */
  | { kind: 'refused'; reason: string }
  /** The store cannot take it now: keep it queued and try again later. */
  | { kind: 'unavailable'; reason: string; retryAfterMillis?: number };

/** Where a drainer writes: a PostgreSQL store directly, or the hub for the embedded store. */
export interface CallbackSink {
  readonly name: 'store' | 'hub';
  /** Largest batch this sink takes at once, in bytes of queued records. */
  readonly maxBatchBytes: number;
  /**
   * Work on a batch that needs no transaction, done while the batch before it is written.
   * Best effort: what it could not prepare (the store away, say) `write` does itself.
   */
  prepare?(batch: readonly ReceivedCallback[]): Promise<PreparedCallbacks>;
  write(batch: readonly ReceivedCallback[], prepared?: PreparedCallbacks): Promise<SinkOutcome>;
  close(): Promise<void>;
}
