import type { PreparedCallbacks, ReceivedCallback } from '../../intake/store-callbacks.js';
import type { CallbackV1 } from '../../protocol/callback-schema.js';
import type { Logger } from '../../shared/logger.js';
import type { DiskQueue, QueueRecord } from '../queue/disk-queue.js';
import type { CallbackSink, SinkOutcome } from './callback-sink.js';
import type { QueuedEnvelope } from './callback-receiver.js';
import type { IntakeCounters } from './intake-counters.js';
import type { ParsedCallbacks } from './parsed-callbacks.js';
import { keepRefusedCallback } from './refused-callbacks.js';

/** Wait when the queue is empty before looking again: 20 ms. */
const idleWaitMillis = 20;
/** First wait after the store failed; it doubles up to the ceiling: 500 ms to 30 s. */
const firstRetryMillis = 500;
const maxRetryMillis = 30_000;

export interface DrainerParts {
  queue: DiskQueue;
  sink: CallbackSink;
  counters: IntakeCounters;
  collectorId: string;
  /** Folder where callbacks the store refuses for good are kept, one JSON line each. */
  refusedDir: string;
  batchCallbacks: () => number;
  log: Logger;
  parsed: ParsedCallbacks;
}

/** A batch read from the queue, parsed, and prepared for the sink as far as it could be. */
interface TakenBatch {
  records: QueueRecord[];
  items: ReceivedCallback[];
  prepared: PreparedCallbacks;
}

const noneTaken: TakenBatch = { records: [], items: [], prepared: new Map() };

/**
 * Takes the queue in order and writes it to the store in batches. A batch is committed to the
 * queue (and so may be removed) only after the store has committed it; if the store is away
 * the same batch is tried again, with growing waits, for as long as it takes. Behind a full
 * batch (a backlog) two are in hand at once: while one is written, the next is read, parsed
 * and its rows built, so the collector's work overlaps the store's. Batches are still written
 * one at a time, in order.
 */
export class QueueDrainer {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** True while the store refuses or cannot be reached; shown in the collector's reports. */
  storeAway = false;

  constructor(private readonly parts: DrainerParts) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the batch in hand; what is not committed stays queued for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Waits, but no longer than until stop() is called. */
  private pause(millis: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, millis);
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    const { queue } = this.parts;
    let retryMillis = firstRetryMillis;
    let next: Promise<TakenBatch> | null = null;
    try {
      while (this.running) {
        const batch = await (next ?? this.take());
        next = null;
        if (batch.records.length === 0) {
          await this.pause(idleWaitMillis);
          continue;
        }
        // Read ahead only behind a full batch: with no backlog the next one would be a sliver
        // (what arrived while this one was read), and the drainer is keeping up anyway.
        if (batch.records.length >= this.parts.batchCallbacks()) next = this.take();
        for (;;) {
          const outcome = await this.write(batch.items, batch.prepared);
          if (outcome.kind !== 'unavailable') break;
          this.noteFailure(outcome.reason);
          await this.pause(outcome.retryAfterMillis ?? retryMillis);
          retryMillis = Math.min(retryMillis * 2, maxRetryMillis);
          if (!this.running) return; // nothing committed: the batch drains after the restart
        }
        retryMillis = firstRetryMillis;
        this.storeAway = false;
        // The next batch may still be being read: the queue is not changed under it.
        if (next) next = Promise.resolve(await next);
        await queue.commit(batch.records);
      }
    } finally {
      // Read ahead but not written: read again from the queue after the restart.
      await next?.catch(() => undefined);
    }
  }

  /** The next batch from the queue, parsed and prepared; empty when the queue is. */
  private async take(): Promise<TakenBatch> {
    const { queue, sink } = this.parts;
    const records = await queue.readBatch(this.parts.batchCallbacks(), sink.maxBatchBytes);
    if (records.length === 0) return noneTaken;
    const items = this.decode(records);
    return { records, items, prepared: (await sink.prepare?.(items)) ?? new Map() };
  }

  /** Writes a batch; one the store refuses is split until the refused callbacks stand alone. */
  private async write(
    items: readonly ReceivedCallback[],
    prepared: PreparedCallbacks,
  ): Promise<SinkOutcome> {
    if (items.length === 0) return { kind: 'stored', stored: 0, duplicates: 0, rows: 0 };
    const outcome = await this.parts.sink.write(items, prepared);
    if (outcome.kind === 'stored') {
      this.parts.counters.stored += outcome.stored;
      this.parts.counters.duplicates += outcome.duplicates;
      this.parts.counters.rowsStored += outcome.rows;
      return outcome;
    }
    if (outcome.kind === 'unavailable') return outcome;
    if (items.length === 1) {
      await this.setAside(items[0]!, outcome.reason);
      return { kind: 'stored', stored: 0, duplicates: 0, rows: 0 };
    }
    const half = Math.ceil(items.length / 2);
    for (const part of [items.slice(0, half), items.slice(half)]) {
      const partOutcome = await this.write(part, prepared);
      if (partOutcome.kind === 'unavailable') return partOutcome;
    }
    return { kind: 'stored', stored: 0, duplicates: 0, rows: 0 };
  }

  private decode(records: readonly QueueRecord[]): ReceivedCallback[] {
    const items: ReceivedCallback[] = [];
    for (const record of records) {
      const parsed = this.parts.parsed.take(record.segment, record.end);
      if (parsed) {
        items.push({ ...parsed, collectorId: this.parts.collectorId });
        continue;
      }
      try {
        const envelope = JSON.parse(record.payload.toString('utf8')) as QueuedEnvelope;
        items.push({
          agentId: envelope.agentId,
          callback: envelope.callback as CallbackV1,
          collectorId: this.parts.collectorId,
          receivedAtMillis: envelope.receivedAtMillis,
        });
      } catch {
        // The checksum passed, so this is not disk damage; counted, and skipped for good.
        this.parts.counters.dropped.undecodable++;
        this.parts.log.error(
          { segment: record.segment, end: record.end },
          'queued record undecodable',
        );
      }
    }
    return items;
  }

  private async setAside(item: ReceivedCallback, reason: string): Promise<void> {
    await keepRefusedCallback(this.parts.refusedDir, item, reason);
    this.parts.counters.dropped.store_refused++;
    this.parts.log.error(
      { callbackId: item.callback.callbackId, agentId: item.agentId, reason },
      'store refused a queued callback; set aside',
    );
  }

  private noteFailure(reason: string): void {
    this.parts.counters.storeFailures++;
    this.parts.counters.lastStoreError = {
      at: new Date().toISOString(),
      message: reason.slice(0, 500),
    };
    if (!this.storeAway)
      this.parts.log.warn({ reason }, 'store unavailable; callbacks stay queued');
    this.storeAway = true;
  }
}
