import type { SkipReason } from '../network/capture-packet.js';
import type { QueueStats } from '../queue/disk-queue.js';
import type { TagVerdict } from '../../protocol/connector-id/tag-verdicts.js';

/** Why flow records or batches did not reach the hub (yet), each counted. */
export interface DeliveryCounters {
  batchesDelivered: number;
  recordsDelivered: number;
  /** Batches the hub had stored before (sent again after a lost answer). */
  duplicates: number;
  /** Times the hub answered 503 and the collector waited as long as it asked. */
  hubBusy: number;
  /** Times the hub could not be reached, or failed; the batch waits on disk. */
  hubUnreachable: number;
  /** Batches the hub refused as unreadable, set aside in refused/ (lost to the hub). */
  refused: number;
  /** Records lost before reaching the disk, because writing the queue failed. */
  queueWriteFailed: number;
}

export function newDeliveryCounters(): DeliveryCounters {
  return {
    batchesDelivered: 0,
    recordsDelivered: 0,
    duplicates: 0,
    hubBusy: 0,
    hubUnreachable: 0,
    refused: 0,
    queueWriteFailed: 0,
  };
}

/** What a network collector tells the hub about itself with every batch. */
export interface NetworkCollectorStatus {
  source: string;
  packetsSeen: number;
  packetsAnalysed: number;
  /** Damaged or unusable packets by reason, and traffic that is not TCP or UDP. */
  skipped: Partial<Record<SkipReason, number>>;
  /** Packets the capture itself lost (the kernel's count), when capturing live. */
  captureDrops: number;
  /** Connector ID tags seen, by verdict (valid, untagged, bad MAC, replayed...); null when
   * the collector has no keys from the hub. */
  tags: Record<TagVerdict, number> | null;
  /** The capture filter in force (empty: none), and why the policy's was refused, if it was. */
  filter: string;
  filterProblem: string | null;
  openConnections: number;
  records: number;
  queue: Pick<QueueStats, 'records' | 'bytes' | 'oldestAgeMillis' | 'setAside'>;
  delivery: DeliveryCounters;
}
