import { readFlowBatch } from '../../collector/network/flow-batch-reader.js';
import { FlowBatchError } from '../../collector/network/flow-batch-format.js';
import { defaultCollectorConfig } from '../../collector/collector-config.js';
import { classifyStoreError } from '../../store/store-errors.js';
import type { HubContext } from '../hub-context.js';
import { storeFlowBatch } from './flow-intake.js';

/** Batches stored at once; a collector past this is asked to come back: 2. */
const maxBatchesInProgress = 2;
/** When a busy hub asks a collector to come back, in seconds. */
export const busyRetrySeconds = 5;
/** When a hub whose store is away asks a collector to come back, in seconds. */
export const storeAwayRetrySeconds = 30;

/** What a collector sends: one batch (base64 of its binary form) and its own status. */
export interface FlowDelivery {
  batch?: unknown;
  status?: unknown;
}

/** What came of a delivery; the route turns each kind into an answer. */
export type FlowIntakeOutcome =
  | { kind: 'stored'; records: number; duplicate: boolean; networkDeliverySeconds: number }
  | { kind: 'invalid'; message: string }
  | { kind: 'busy'; retryAfterSeconds: number; message: string };

/**
 * Takes one batch of flow records from a collector: reads it whole (a malformed batch is
 * refused, never half stored), stores it attributed, keeps the collector's status, and
 * answers with how often the collector should send. With more batches in progress than the
 * store should take at once, or with the store away, it asks the collector to come back later
 * (503 with Retry-After); the collector keeps the batch until then.
 */
export class NetworkIntake {
  private inProgress = 0;

  constructor(private readonly hub: HubContext) {}

  async receive(collectorId: string, delivery: FlowDelivery): Promise<FlowIntakeOutcome> {
    if (typeof delivery.batch !== 'string') return { kind: 'invalid', message: 'no batch' };
    let batch;
    try {
      batch = readFlowBatch(Buffer.from(delivery.batch, 'base64'));
    } catch (error) {
      if (error instanceof FlowBatchError) return { kind: 'invalid', message: error.message };
      throw error;
    }
    if (this.inProgress >= maxBatchesInProgress) {
      const message = 'the hub is storing other batches; send this one later';
      return { kind: 'busy', retryAfterSeconds: busyRetrySeconds, message };
    }
    this.inProgress++;
    try {
      const outcome = await storeFlowBatch(this.hub.store, collectorId, batch);
      await this.keepStatus(collectorId, delivery.status);
      const records = outcome.kind === 'stored' ? outcome.records : 0;
      const networkDeliverySeconds = await this.deliverySeconds(collectorId);
      return {
        kind: 'stored',
        records,
        duplicate: outcome.kind === 'duplicate',
        networkDeliverySeconds,
      };
    } catch (error) {
      const failure = classifyStoreError(error);
      // A conflict (a day partition attached just as the batch's rows went to the DEFAULT
      // partition, or a deadlock) goes away on its own: the batch is sent again later.
      if (failure === 'conflict') {
        const message = 'the batch met a concurrent change in the store; send it again';
        return { kind: 'busy', retryAfterSeconds: busyRetrySeconds, message };
      }
      if (failure !== 'unavailable') throw error;
      const message = 'the store is not available; send this batch later';
      return { kind: 'busy', retryAfterSeconds: storeAwayRetrySeconds, message };
    } finally {
      this.inProgress--;
    }
  }

  private async keepStatus(collectorId: string, status: unknown): Promise<void> {
    if (typeof status !== 'object' || status === null || Array.isArray(status)) return;
    await this.hub.store.query(
      `INSERT INTO network_collectors (collector_id, reported_at, status)
       VALUES ($1, now(), $2::text::jsonb)
       ON CONFLICT (collector_id) DO UPDATE SET reported_at = now(), status = EXCLUDED.status`,
      [collectorId, JSON.stringify(status)],
    );
  }

  // The collector's setting when an administrator pushed one, else the default (60 s).
  private async deliverySeconds(collectorId: string): Promise<number> {
    const rows = await this.hub.store.query<{ seconds: number | null }>(
      `SELECT (config->>'networkDeliverySeconds')::integer AS seconds FROM collectors
       WHERE component_id = $1`,
      [collectorId],
    );
    return rows[0]?.seconds ?? defaultCollectorConfig.networkDeliverySeconds;
  }
}
