import type { RejectionCounter } from '../protocol/rejection.js';
import type { CachedAgentDirectory } from './callbacks/agent-directory.js';
import type { IntakeCounters } from './callbacks/intake-counters.js';
import type { QueueDrainer } from './callbacks/queue-drainer.js';
import type { DiskQueue } from './queue/disk-queue.js';

/** Where a collector stands, as the hub lists it. */
export type CollectorState = 'running' | 'store_unavailable';

/** The report a callback collector sends the hub: everything the hub lists about it. */
export function collectorReport(parts: {
  url: string;
  queue: DiskQueue;
  counters: IntakeCounters;
  rejections: RejectionCounter;
  drainer: QueueDrainer;
  directory: CachedAgentDirectory;
  sink: 'store' | 'hub';
  version: string;
}) {
  const queue = parts.queue.stats();
  const state: CollectorState = parts.drainer.storeAway ? 'store_unavailable' : 'running';
  return {
    roles: ['callbacks'],
    intakeUrl: parts.url,
    version: parts.version,
    state,
    sink: parts.sink,
    queue: {
      records: queue.records,
      bytes: queue.bytes,
      oldestAgeSeconds: Math.round(queue.oldestAgeMillis / 1_000),
      segments: queue.segments,
      setAside: queue.setAside,
    },
    intake: parts.counters.snapshot(),
    rejections: parts.rejections.snapshot(),
    directoryStaleAnswers: parts.directory.staleAnswers,
  };
}
