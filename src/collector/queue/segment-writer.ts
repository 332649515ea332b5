import type { FileHandle } from 'node:fs/promises';
import { segmentHeader, encodeRecordHeader } from './record-format.js';
import { createSegment } from './segment-files.js';

/** A new segment is started once the current one would pass this size: 64 MiB. */
export const defaultSegmentMaxBytes = 64 * 1024 * 1024;
/** Most bytes written and synced as one group: 8 MiB. */
const maxGroupCommitBytes = 8 * 1024 * 1024;

/** Where a record ended up: its segment and the offset just past it. */
export interface RecordPosition {
  segment: number;
  end: number;
}

interface Waiting {
  payload: Buffer;
  appendedAtMillis: number;
  resolve: (position: RecordPosition) => void;
  reject: (error: unknown) => void;
}

/** Told when records become durable, or a segment is started or sealed. */
export interface SegmentEvents {
  onStarted(segment: number): void;
  onDurable(segment: number, end: number, records: Array<{ bytes: number; at: number }>): void;
  onSealed(segment: number, end: number): void;
}

/**
 * Appends records to the newest segment with group commit: whatever arrives while one write
 * and fsync are under way goes out together in the next, and every caller's promise resolves
 * only after the fsync that covers its record. The caller acknowledges after that, never before.
 */
export class SegmentWriter {
  private waiting: Waiting[] = [];
  private flushing = false;
  private file: FileHandle | null = null;
  private segment: number;
  private end = 0;

  constructor(
    private readonly dir: string,
    nextSegment: number,
    private readonly events: SegmentEvents,
    private readonly segmentMaxBytes = defaultSegmentMaxBytes,
    private readonly nowMillis: () => number = Date.now,
  ) {
    this.segment = nextSegment;
  }

  /** Resolves once the record is on disk and synced; rejects when the write failed. */
  append(payload: Buffer): Promise<RecordPosition> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ payload, appendedAtMillis: this.nowMillis(), resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  async close(): Promise<void> {
    while (this.flushing) await new Promise((resolve) => setImmediate(resolve));
    await this.file?.close();
    this.file = null;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.takeGroup();
        try {
          const ends = await this.write(group);
          group.forEach((item, index) =>
            item.resolve({ segment: this.segment, end: ends[index]! }),
          );
        } catch (error) {
          group.forEach((item) => item.reject(error));
          await this.sealAfterFailure();
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private takeGroup(): Waiting[] {
    let bytes = 0;
    let count = 0;
    while (count < this.waiting.length && (count === 0 || bytes < maxGroupCommitBytes)) {
      bytes += this.waiting[count]!.payload.length;
      count++;
    }
    return this.waiting.splice(0, count);
  }

  private async write(group: Waiting[]): Promise<number[]> {
    const buffers: Buffer[] = [];
    const records: Array<{ bytes: number; at: number }> = [];
    let size = 0;
    for (const item of group) {
      const header = encodeRecordHeader(item.payload, item.appendedAtMillis);
      buffers.push(header, item.payload);
      records.push({ bytes: header.length + item.payload.length, at: item.appendedAtMillis });
      size += header.length + item.payload.length;
    }
    if (!this.file || (this.end > segmentHeader.length && this.end + size > this.segmentMaxBytes)) {
      await this.startSegment();
    }

    const { bytesWritten } = await this.file!.writev(buffers, this.end);
    if (bytesWritten !== size) {
      throw Object.assign(new Error('the disk took only part of a queue write'), {
        code: 'ENOSPC',
      });
    }
    await this.file!.datasync();
    const ends: number[] = [];
    for (const record of records) ends.push((this.end += record.bytes));
    this.events.onDurable(this.segment, this.end, records);
    return ends;
  }

  private async startSegment(): Promise<void> {
    if (this.file) {
      await this.file.close();
      this.events.onSealed(this.segment, this.end);
      this.segment++;
    }
    this.file = null;
    this.file = await createSegment(this.dir, this.segment);
    this.end = segmentHeader.length;
    this.events.onStarted(this.segment);
  }

  // After a failed write or sync nothing past the last good fsync can be trusted in this
  // file (a failed fsync may have dropped pages): cut it there and go on in a new segment.
  private async sealAfterFailure(): Promise<void> {
    const file = this.file;
    if (!file) return;
    await file.truncate(this.end).catch(() => undefined);
    await file.close().catch(() => undefined);
    this.file = null;
    this.events.onSealed(this.segment, this.end);
    this.segment++;
  }
}
