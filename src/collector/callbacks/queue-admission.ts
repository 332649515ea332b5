import { statfs } from 'node:fs/promises';
import type { CollectorConfig } from '../collector-config.js';
import type { DiskQueue } from '../queue/disk-queue.js';
import type { IntakeRefusalReason } from './intake-refusals.js';

/** How often the free space of the queue's filesystem is read: every second. */
const diskCheckMillis = 1_000;

/** Free bytes on the filesystem holding `dir`, as an unprivileged writer sees them. */
export type FreeSpaceProbe = (dir: string) => Promise<number>;

export const statfsFreeSpace: FreeSpaceProbe = async (dir) => {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
};

/**
 * Decides whether intake may queue one more callback: not at the queue's byte or age ceiling,
 * and not when the disk is nearly full. Free space is read in the background, so the check on
 * the intake path costs nothing.
 */
export class QueueAdmission {
  private freeBytes = Number.POSITIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly queue: DiskQueue,
    private readonly dir: string,
    private readonly config: () => CollectorConfig,
    private readonly probe: FreeSpaceProbe = statfsFreeSpace,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), diskCheckMillis);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Null when a callback may be queued; otherwise why not. */
  check(incomingBytes: number): IntakeRefusalReason | null {
    const config = this.config();
    const stats = this.queue.depth();
    if (stats.bytes + incomingBytes > config.maxQueueBytes) return 'queue_full';
    if (stats.oldestAgeMillis > config.maxQueueAgeSeconds * 1_000) return 'queue_too_old';
    if (this.freeBytes - incomingBytes < config.minFreeDiskBytes) return 'disk_nearly_full';
    return null;
  }

  /** Reads free space again at once: after a failed write it is likely the disk. */
  async refresh(): Promise<void> {
    this.freeBytes = await this.probe(this.dir).catch(() => this.freeBytes);
  }
}
