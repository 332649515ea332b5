import { readFile } from 'node:fs/promises';
import { decodeRecord, findNextMagic, segmentHeader } from './record-format.js';

/** A stretch of a segment that holds no valid record. */
export interface DamagedRange {
  start: number;
  end: number;
  /** True when nothing valid follows: the end of a write that never completed. */
  atTail: boolean;
}

/** What a segment file holds, record by record. */
export interface SegmentScan {
  /** False when the file does not even start like a segment. */
  headerValid: boolean;
  sizeBytes: number;
  /** Start offset, end offset and append time of every valid record, in order. */
  records: Array<{ start: number; end: number; appendedAtMillis: number }>;
  damaged: DamagedRange[];
}

/**
 * Reads a whole segment and finds every valid record in it. After a stretch that does not
 * decode, it looks for the next record that does, so one bad record costs only itself.
 */
export async function scanSegment(path: string): Promise<SegmentScan> {
  const buffer = await readFile(path);
  const scan: SegmentScan = {
    headerValid: buffer.subarray(0, segmentHeader.length).equals(segmentHeader),
    sizeBytes: buffer.length,
    records: [],
    damaged: [],
  };
  if (!scan.headerValid) return scan;

  let offset = segmentHeader.length;
  while (offset < buffer.length) {
    const decoded = decodeRecord(buffer, offset);
    if (decoded.kind === 'record') {
      scan.records.push({
        start: offset,
        end: decoded.end,
        appendedAtMillis: decoded.appendedAtMillis,
      });
      offset = decoded.end;
      continue;
    }
    const resume = nextValidRecord(buffer, offset + 1);
    scan.damaged.push({ start: offset, end: resume ?? buffer.length, atTail: resume === null });
    if (resume === null) break;
    offset = resume;
  }
  return scan;
}

function nextValidRecord(buffer: Buffer, from: number): number | null {
  for (let at = findNextMagic(buffer, from); at !== -1; at = findNextMagic(buffer, at + 1)) {
    if (decodeRecord(buffer, at).kind === 'record') return at;
  }
  return null;
}
