import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../shared/logger.js';
import type { HubAnswer } from '../hub-link.js';
import type { DiskQueue } from '../queue/disk-queue.js';
import type { DeliveryCounters, NetworkCollectorStatus } from './network-status.js';

/** Largest queued batch sent in one call: 4 MiB (sealing and base64 keep it under 8). */
const maxSendBytes = 4 * 1024 * 1024;
/** Wait after a failed call, doubling up to the ceiling: 1 s to 60 s. */
const firstRetryMillis = 1_000;
const maxRetryMillis = 60_000;

/** The hub's answer to a stored batch. */
export interface StoredAnswer {
  records: number;
  duplicate: boolean;
  networkDeliverySeconds: number;
}

export interface FlowSenderParts {
  queue: DiskQueue;
  /** Sends one batch (base64 of its binary form) with the collector's status. */
  send(batch: string, status: NetworkCollectorStatus): Promise<HubAnswer<StoredAnswer>>;
  status(): NetworkCollectorStatus;
  counters: DeliveryCounters;
  /** How often to send, in seconds, until the hub says otherwise: 60. */
  deliverySeconds: number;
  refusedDir: string;
  log: Logger;
  sleep?: (millis: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Sends the queued batches to the hub, oldest first, one per call, every `deliverySeconds`.
 * A batch leaves the queue only once the hub has answered that it stored it: a batch in flight
 * when the collector stops is sent again after the restart (the hub stores it once). A 503
 * is obeyed: the sender waits the Retry-After the hub gave, so a backlog drains at the hub's
 * pace. A hub that cannot be reached is tried again after growing waits.
 */
export class FlowSender {
  private readonly stopping = new AbortController();
  private loop: Promise<void> | null = null;
  private deliverySeconds: number;
  private readonly sleep: NonNullable<FlowSenderParts['sleep']>;

  constructor(private readonly parts: FlowSenderParts) {
    this.deliverySeconds = parts.deliverySeconds;
    this.sleep = parts.sleep ?? abortableSleep;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  /** Sends everything queued now; resolves when the queue is empty or the sender stops. */
  async deliverAll(): Promise<void> {
    const { queue, counters, log } = this.parts;
    let retryMillis = firstRetryMillis;
    while (!this.stopping.signal.aborted) {
      const [record] = await queue.readBatch(1, maxSendBytes);
      if (!record) return;
      const answer = await this.parts.send(record.payload.toString('base64'), this.parts.status());
      if (answer.kind === 'answer') {
        await queue.commit([record]);
        counters.batchesDelivered++;
        counters.recordsDelivered += answer.body.records;
        if (answer.body.duplicate) counters.duplicates++;
        this.deliverySeconds = answer.body.networkDeliverySeconds || this.deliverySeconds;
        retryMillis = firstRetryMillis;
        continue;
      }
      if (answer.kind === 'refused' && answer.code === 'invalid_network_batch') {
        await this.setAside(record.payload, answer.message);
        await queue.commit([record]);
        continue;
      }
      queue.rewind();
      if (answer.kind === 'refused' && answer.status === 503 && answer.retryAfterSeconds) {
        counters.hubBusy++;
        log.debug({ retryAfterSeconds: answer.retryAfterSeconds }, 'hub busy; waiting');
        await this.sleep(answer.retryAfterSeconds * 1_000, this.stopping.signal);
        continue;
      }
      counters.hubUnreachable++;
      const reason =
        answer.kind === 'refused' ? `${answer.code}: ${answer.message}` : answer.message;
      log.debug({ reason, retryMillis }, 'flow batch not delivered; trying again');
      await this.sleep(retryMillis, this.stopping.signal);
      retryMillis = Math.min(retryMillis * 2, maxRetryMillis);
    }
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      await this.deliverAll();
      await this.sleep(this.deliverySeconds * 1_000, this.stopping.signal);
    }
  }

  // A batch the hub cannot read will never be stored: kept on disk for a person, counted.
  private async setAside(payload: Buffer, reason: string): Promise<void> {
    const { refusedDir, counters, log } = this.parts;
    counters.refused++;
    await mkdir(refusedDir, { recursive: true });
    const path = join(refusedDir, `${Date.now()}-${counters.refused}.snf`);
    await writeFile(path, payload);
    log.error({ reason, path }, 'the hub refused a flow batch; set aside');
  }
}

function abortableSleep(millis: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, millis);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
