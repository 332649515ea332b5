import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { segmentHeader } from './record-format.js';
import { loadCursor, type QueueCursor } from './queue-cursor.js';
import { listSegments, segmentName } from './segment-files.js';
import { repairSegment, type SetAside } from './segment-repair.js';
import { scanSegment, type SegmentScan } from './segment-scan.js';

/** One segment as the queue tracks it: how far it is written and what in it waits. */
export interface SegmentState {
  seq: number;
  /** Offset past its last durable record. */
  end: number;
  sealed: boolean;
  /** Records and bytes not yet stored. */
  pendingRecords: number;
  pendingBytes: number;
}

export interface RecoveredQueue {
  segments: SegmentState[];
  cursor: QueueCursor;
  nextSegment: number;
  oldestPendingMillis: number | null;
  setAside: SetAside[];
}

/**
 * Brings the queue folder back after a stop of any kind: every segment is checked record by
 * record, damage is set aside (kept, counted, reported), segments the store already took are
 * removed, and the cursor is placed on a record boundary. Whatever follows the cursor drains.
 */
export async function recoverQueue(dir: string, damagedDir: string): Promise<RecoveredQueue> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await mkdir(damagedDir, { recursive: true, mode: 0o700 });
  const saved = await loadCursor(dir);
  const found = await listSegments(dir);
  const segments: SegmentState[] = [];
  const setAside: SetAside[] = [];
  let cursor: QueueCursor | null = null;
  let oldestPendingMillis: number | null = null;

  for (const seq of found) {
    if (saved && seq < saved.segment) {
      await rm(join(dir, segmentName(seq)), { force: true }); // stored before the stop
      continue;
    }
    const repaired = await repairSegment(
      dir,
      damagedDir,
      seq,
      await scanSegment(join(dir, segmentName(seq))),
    );
    setAside.push(...repaired.setAside);
    if (!repaired.scan) continue;

    // Records of a rewritten segment moved, so a cursor inside it means nothing any more.
    const firstPending = repaired.rewritten ? 0 : firstPendingIndex(repaired.scan, saved, seq);
    const pending = repaired.scan.records.slice(firstPending);
    if (pending.length === 0) {
      await rm(join(dir, segmentName(seq)), { force: true });
      continue;
    }
    cursor ??= { segment: seq, offset: pending[0]!.start };
    oldestPendingMillis ??= pending[0]!.appendedAtMillis;
    segments.push({
      seq,
      end: repaired.scan.records.at(-1)!.end,
      sealed: true,
      pendingRecords: pending.length,
      pendingBytes: pending.reduce((sum, record) => sum + record.end - record.start, 0),
    });
  }

  const nextSegment = Math.max(0, ...found, saved?.segment ?? 0) + 1;
  return {
    segments,
    cursor: cursor ?? { segment: nextSegment, offset: segmentHeader.length },
    nextSegment,
    oldestPendingMillis,
    setAside,
  };
}

// The cursor must sit exactly past a record; if it does not (the segment was repaired, or the
// cursor is stale) the whole segment drains again, which the store's callback ids make harmless.
function firstPendingIndex(scan: SegmentScan, saved: QueueCursor | null, seq: number): number {
  if (!saved || saved.segment !== seq) return 0;
  if (saved.offset === segmentHeader.length) return 0;
  const index = scan.records.findIndex((record) => record.end === saved.offset);
  return index === -1 ? 0 : index + 1;
}
