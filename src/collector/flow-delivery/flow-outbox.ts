import type { Logger } from '../../shared/logger.js';
import { FlowBatchWriter } from '../network/flow-batch-writer.js';
import type { FlowRecord } from '../network/flow-record.js';
import type { DiskQueue } from '../queue/disk-queue.js';
import type { DeliveryCounters } from './network-status.js';

/** A batch is closed at this size even before its interval ends: 1 MiB, about 6,500 records. */
const maxBatchBytes = 1024 * 1024;

/**
 * Gathers flow records into batches and appends each closed batch to the queue on disk, where
 * it stays until the hub has stored it. Batches close at every interval boundary (`flush`)
 * and when they reach 1 MiB. Records of the batch still open live only in memory, like the
 * connections themselves.
 */
export class FlowOutbox {
  private writer = new FlowBatchWriter();
  private appended: Promise<void> = Promise.resolve();

  constructor(
    private readonly queue: DiskQueue,
    private readonly counters: DeliveryCounters,
    private readonly log: Logger,
    private readonly nowMillis: () => number = Date.now,
  ) {}

  add(record: FlowRecord): void {
    this.writer.add(record);
    if (this.writer.bytes >= maxBatchBytes) void this.flush();
  }

  /** Closes the open batch, if it holds anything; resolves once every closed one is durable. */
  flush(): Promise<void> {
    const writer = this.writer;
    if (writer.records > 0) {
      this.writer = new FlowBatchWriter();
      const bytes = writer.finish(this.nowMillis());
      this.appended = this.appended.then(() =>
        this.queue.append(bytes).then(
          () => undefined,
          (error: Error) => {
            // Lost work: counted, shown to the hub, logged at error.
            this.counters.queueWriteFailed += writer.records;
            this.log.error({ err: error, records: writer.records }, 'flow batch not written');
          },
        ),
      );
    }
    return this.appended;
  }
}
