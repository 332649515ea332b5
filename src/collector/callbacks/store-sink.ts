import {
  prepareCallbacks,
  storeCallbacks,
  type PreparedCallbacks,
  type ReceivedCallback,
} from '../../intake/store-callbacks.js';
import { classifyStoreError } from '../../store/store-errors.js';
import type { CallbackSink, SinkOutcome } from './callback-sink.js';
import type { StoreConnection } from './store-connection.js';

/** Largest batch written in one transaction, in bytes of queued records: 32 MiB. */
const maxStoreBatchBytes = 32 * 1024 * 1024;

/** Writes batches straight into the PostgreSQL store the collector shares with the hub. */
export function storeSink(connection: StoreConnection): CallbackSink {
  return {
    name: 'store',
    maxBatchBytes: maxStoreBatchBytes,
    async prepare(batch: readonly ReceivedCallback[]): Promise<PreparedCallbacks> {
      try {
        return await prepareCallbacks(await connection.current(), batch);
      } catch {
        return new Map(); // the write meets the same failure and reports it
      }
    },
    async write(
      batch: readonly ReceivedCallback[],
      prepared?: PreparedCallbacks,
    ): Promise<SinkOutcome> {
      try {
        const outcome = await storeCallbacks(await connection.current(), batch, Date.now, prepared);
        return { kind: 'stored', ...outcome };
      } catch (error) {
        const reason = (error as Error).message;
        if (classifyStoreError(error) === 'data') return { kind: 'refused', reason };
        // Unreachable, or failing for a reason a later try may not meet: retry either way,
        // since giving up on acknowledged callbacks is the one thing the drainer never does.
        return { kind: 'unavailable', reason };
      }
    },
    close: () => connection.close(),
  };
}
