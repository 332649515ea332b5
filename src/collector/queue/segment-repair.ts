import { open, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { syncFolder, writeFileDurably } from '../../shared/atomic-file.js';
import { recordHeaderBytes, recordMagic, segmentHeader } from './record-format.js';
import { segmentName } from './segment-files.js';
import { scanSegment, type DamagedRange, type SegmentScan } from './segment-scan.js';

/** Why bytes were taken out of the queue at start. */
export type SetAsideReason = 'damaged_segment' | 'damaged_record' | 'torn_tail';

export interface SetAside {
  reason: SetAsideReason;
  bytes: number;
}

/**
 * Takes what does not decode out of segment `seq` and keeps it in `damagedDir` for a person to
 * look at, then leaves the segment holding only its valid records. A torn tail (the end of a
 * write the crash cut short, never acknowledged) is cut off; damage between valid records
 * means rewriting the segment without it, which moves the records after it (`rewritten`).
 */
export async function repairSegment(
  dir: string,
  damagedDir: string,
  seq: number,
  scan: SegmentScan,
): Promise<{ scan: SegmentScan | null; setAside: SetAside[]; rewritten: boolean }> {
  const name = segmentName(seq);
  const path = join(dir, name);
  if (!scan.headerValid) {
    await rename(path, join(damagedDir, name));
    await syncFolder(damagedDir);
    await syncFolder(dir);
    const setAside: SetAside[] = [{ reason: 'damaged_segment', bytes: scan.sizeBytes }];
    return { scan: null, setAside, rewritten: false };
  }
  if (scan.damaged.length === 0) return { scan, setAside: [], rewritten: false };

  const buffer = await readFile(path);
  const setAside: SetAside[] = [];
  for (const range of scan.damaged) {
    const bytes = buffer.subarray(range.start, range.end);
    await writeFileDurably(join(damagedDir, `${name}.${range.start}.bad`), bytes);
    setAside.push({
      reason: isTorn(range, bytes) ? 'torn_tail' : 'damaged_record',
      bytes: bytes.length,
    });
  }

  const onlyTail = scan.damaged.length === 1 && scan.damaged[0]!.atTail;
  if (onlyTail) {
    const file = await open(path, 'r+');
    try {
      await file.truncate(scan.damaged[0]!.start);
      await file.sync();
    } finally {
      await file.close();
    }
  } else {
    // Valid records keep their order; written aside, synced, then renamed over the original.
    const parts = [segmentHeader, ...scan.records.map((r) => buffer.subarray(r.start, r.end))];
    const repaired = `${path}.repair`;
    await writeFile(repaired, Buffer.concat(parts), { mode: 0o600 });
    const file = await open(repaired, 'r+');
    await file.sync().finally(() => file.close());
    await rename(repaired, path);
    await syncFolder(dir);
  }
  return { scan: await scanSegment(path), setAside, rewritten: !onlyTail };
}

// A record cut short by the end of the file, or zeros a power cut left, is a write that never
// finished; anything else at the tail is a damaged record.
function isTorn(range: DamagedRange, bytes: Buffer): boolean {
  if (!range.atTail) return false;
  if (bytes.every((byte) => byte === 0)) return true;
  const magic = bytes.subarray(0, recordMagic.length);
  if (!recordMagic.subarray(0, magic.length).equals(magic)) return false;
  return bytes.length < 8 || bytes.readUInt32LE(4) + recordHeaderBytes > bytes.length;
}
