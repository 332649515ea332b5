import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { recordHeaderBytes, segmentHeader } from './record-format.js';
import { saveCursor, type QueueCursor } from './queue-cursor.js';
import { recoverQueue, type SegmentState } from './queue-recovery.js';
import { segmentName } from './segment-files.js';
import { readSegment } from './segment-reader.js';
import type { SetAside, SetAsideReason } from './segment-repair.js';
import { SegmentWriter, type RecordPosition } from './segment-writer.js';

export interface DiskQueueOptions {
  /** The queue's folder; segments live in it, set-aside damage in `damaged/` beside it. */
  dir: string;
  segmentMaxBytes?: number;
  nowMillis?: () => number;
}

/** A record taken from the queue, with where it sits, so it can be committed once stored. */
export interface QueueRecord {
  payload: Buffer;
  segment: number;
  end: number;
  bytes: number;
  appendedAtMillis: number;
}

export interface QueueStats {
  records: number;
  bytes: number;
  /** Age of the oldest record not yet stored, in milliseconds; 0 when empty. */
  oldestAgeMillis: number;
  segments: number;
  /** What was set aside since the queue opened, by reason: how many stretches, how many bytes. */
  setAside: Record<SetAsideReason, { count: number; bytes: number }>;
  /** Cursor saves that failed (a full disk, say); each costs a restart some re-offered work. */
  cursorSaveFailures: number;
}

/**
 * A FIFO queue of records on local disk, in segment files. `append` resolves only once the
 * record is synced; `readBatch` hands records out in order; `commit` is called once the store
 * holds them, and only then is anything removed. Records read but not committed are read
 * again after a restart: in flight is not delivered.
 */
export class DiskQueue {
  private readonly writer: SegmentWriter;
  private readPosition: QueueCursor;
  private cursorSaveFailures = 0;
  private readonly setAsideCounts: QueueStats['setAside'] = {
    damaged_segment: { count: 0, bytes: 0 },
    damaged_record: { count: 0, bytes: 0 },
    torn_tail: { count: 0, bytes: 0 },
  };

  private constructor(
    private readonly dir: string,
    private readonly segments: SegmentState[],
    private cursor: QueueCursor,
    private oldestPendingMillis: number | null,
    nextSegment: number,
    private readonly now: () => number,
    segmentMaxBytes?: number,
  ) {
    this.readPosition = { ...cursor };
    this.writer = new SegmentWriter(
      dir,
      nextSegment,
      {
        onStarted: (seq) =>
          this.segments.push({
            seq,
            end: segmentHeader.length,
            sealed: false,
            pendingRecords: 0,
            pendingBytes: 0,
          }),
        onDurable: (seq, end, records) => this.noteDurable(seq, end, records),
        onSealed: (seq, end) => {
          const segment = this.segments.find((s) => s.seq === seq);
          if (segment) Object.assign(segment, { sealed: true, end });
        },
      },
      segmentMaxBytes,
      now,
    );
  }

  /** Opens the queue in `dir`, recovering whatever a crash left; reports what it set aside. */
  static async open(
    options: DiskQueueOptions,
  ): Promise<{ queue: DiskQueue; setAside: SetAside[] }> {
    const recovered = await recoverQueue(options.dir, join(options.dir, 'damaged'));
    const queue = new DiskQueue(
      options.dir,
      recovered.segments,
      recovered.cursor,
      recovered.oldestPendingMillis,
      recovered.nextSegment,
      options.nowMillis ?? Date.now,
      options.segmentMaxBytes,
    );
    for (const item of recovered.setAside) queue.countSetAside(item.reason, item.bytes);
    return { queue, setAside: recovered.setAside };
  }

  /** Resolves once the record is durable on disk; only then may it be acknowledged. */
  append(payload: Buffer): Promise<RecordPosition> {
    return this.writer.append(payload);
  }

  /** The next records in order, up to the limits, starting after those already handed out. */
  async readBatch(maxRecords: number, maxBytes: number): Promise<QueueRecord[]> {
    const batch: QueueRecord[] = [];
    let bytes = 0;
    while (batch.length < maxRecords && bytes < maxBytes) {
      const segment = this.segments.find((s) => s.seq >= this.readPosition.segment);
      if (!segment) break;
      if (segment.seq !== this.readPosition.segment) {
        this.readPosition = { segment: segment.seq, offset: segmentHeader.length };
      }
      if (this.readPosition.offset >= segment.end) {
        if (!segment.sealed || segment === this.segments.at(-1)) break;
        this.readPosition = { segment: segment.seq + 1, offset: segmentHeader.length };
        continue;
      }
      const read = await this.readFrom(segment, maxRecords - batch.length, maxBytes - bytes);
      batch.push(...read);
      bytes += read.reduce((sum, record) => sum + record.bytes, 0);
    }
    return batch;
  }

  /** Hands out again, from the last commit on, whatever was read but not committed. */
  rewind(): void {
    this.readPosition = { ...this.cursor };
  }

  /** Marks records as stored, oldest first; removes segments the store now holds entirely. */
  async commit(records: readonly QueueRecord[]): Promise<void> {
    if (records.length === 0) return;
    for (const record of records) {
      const segment = this.segments.find((s) => s.seq === record.segment);
      if (!segment) continue;
      segment.pendingRecords--;
      segment.pendingBytes -= record.bytes;
    }
    const last = records.at(-1)!;
    this.cursor = { segment: last.segment, offset: last.end };
    // Not yet: the segment being written goes only once it is sealed (at 64 MiB), so that much
    // drained data can stay on disk; it matters on a disk close to `minFreeDiskBytes`.
    while (this.segments.length > 1 || this.segments[0]?.sealed) {
      const head = this.segments[0]!;
      if (!head.sealed || head.pendingRecords > 0 || head.seq > this.cursor.segment) break;
      this.segments.shift();
      await rm(join(this.dir, segmentName(head.seq)), { force: true });
      if (head.seq === this.cursor.segment) {
        this.cursor = { segment: head.seq + 1, offset: segmentHeader.length };
      }
    }
    // The saved cursor only spares a restart from offering stored callbacks again (the store
    // takes each callback id once), so a full disk failing this write loses nothing: the
    // queue goes on from the cursor it holds and saves it again with the next commit.
    await saveCursor(this.dir, this.cursor).catch(() => {
      this.cursorSaveFailures++;
    });
    this.oldestPendingMillis = await this.peekOldest();
  }

  /** Records and bytes not yet stored, and the oldest one's age: what intake checks each time. */
  depth(): Pick<QueueStats, 'records' | 'bytes' | 'oldestAgeMillis'> {
    let records = 0;
    let bytes = 0;
    for (const segment of this.segments) {
      records += segment.pendingRecords;
      bytes += segment.pendingBytes;
    }
    const oldest =
      records > 0 && this.oldestPendingMillis !== null ? this.oldestPendingMillis : null;
    return {
      records,
      bytes,
      oldestAgeMillis: oldest === null ? 0 : Math.max(0, this.now() - oldest),
    };
  }

  stats(): QueueStats {
    return {
      ...this.depth(),
      segments: this.segments.length,
      setAside: structuredClone(this.setAsideCounts),
      cursorSaveFailures: this.cursorSaveFailures,
    };
  }

  async close(): Promise<void> {
    await this.writer.close();
  }

  private noteDurable(seq: number, end: number, records: Array<{ bytes: number; at: number }>) {
    const segment = this.segments.find((s) => s.seq === seq);
    if (!segment) return;
    segment.end = end;
    segment.pendingRecords += records.length;
    for (const record of records) segment.pendingBytes += record.bytes;
    this.oldestPendingMillis ??= records[0]?.at ?? null;
  }

  private countSetAside(reason: SetAsideReason, bytes: number) {
    this.setAsideCounts[reason].count++;
    this.setAsideCounts[reason].bytes += bytes;
  }

  private async readFrom(segment: SegmentState, maxRecords: number, maxBytes: number) {
    const path = join(this.dir, segmentName(segment.seq));
    const read = await readSegment(path, this.readPosition.offset, segment.end, {
      maxRecords,
      maxBytes,
    });
    if (read.skippedBytes > 0) this.countSetAside('damaged_record', read.skippedBytes);
    this.readPosition = { segment: segment.seq, offset: read.offset };
    return read.records.map((record) => ({ ...record, segment: segment.seq }));
  }

  private async peekOldest(): Promise<number | null> {
    const segment = this.segments.find((s) => s.pendingRecords > 0);
    if (!segment) return null;
    const offset = segment.seq === this.cursor.segment ? this.cursor.offset : segmentHeader.length;
    const file = await open(join(this.dir, segmentName(segment.seq)), 'r');
    try {
      const header = Buffer.alloc(recordHeaderBytes);
      await file.read(header, 0, recordHeaderBytes, offset);
      return header.readDoubleLE(8);
    } finally {
      await file.close();
    }
  }
}
