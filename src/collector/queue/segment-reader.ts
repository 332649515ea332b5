import { open } from 'node:fs/promises';
import { decodeRecord, findNextMagic, recordHeaderBytes } from './record-format.js';

/** Bytes read from a segment at a time while draining: 4 MiB. */
const readChunkBytes = 4 * 1024 * 1024;

/** A record read back, with its place in its segment. */
export interface ReadRecord {
  payload: Buffer;
  end: number;
  bytes: number;
  appendedAtMillis: number;
}

export interface SegmentRead {
  records: ReadRecord[];
  /** Where the next read in this segment starts. */
  offset: number;
  /** Bytes skipped because they no longer decode (damage after the start-up check). */
  skippedBytes: number;
}

/**
 * Reads records from `path` starting at `offset`, never past `end` (the last synced byte),
 * until the limits are reached. Reads in large chunks; a record larger than a chunk is read
 * whole.
 */
export async function readSegment(
  path: string,
  offset: number,
  end: number,
  limits: { maxRecords: number; maxBytes: number },
): Promise<SegmentRead> {
  const file = await open(path, 'r');
  const read: SegmentRead = { records: [], offset, skippedBytes: 0 };
  let bytes = 0;
  let want = readChunkBytes;
  try {
    while (
      read.offset < end &&
      read.records.length < limits.maxRecords &&
      bytes < limits.maxBytes
    ) {
      const chunk = Buffer.allocUnsafe(
        Math.min(Math.max(want, recordHeaderBytes), end - read.offset),
      );
      const { bytesRead } = await file.read(chunk, 0, chunk.length, read.offset);
      let at = 0;
      while (at < bytesRead && read.records.length < limits.maxRecords && bytes < limits.maxBytes) {
        const decoded = decodeRecord(chunk.subarray(0, bytesRead), at);
        if (decoded.kind === 'record') {
          const size = decoded.end - at;
          const { payload, appendedAtMillis } = decoded;
          read.records.push({
            payload,
            end: read.offset + decoded.end,
            bytes: size,
            appendedAtMillis,
          });
          bytes += size;
          at = decoded.end;
          continue;
        }
        // A record cut by the chunk is read again, whole, from its start.
        if (decoded.kind === 'incomplete' && read.offset + at + decoded.needBytes <= end) {
          want = at === 0 ? decoded.needBytes : readChunkBytes;
          break;
        }
        // Damage that appeared after the start-up check: skip to the next record that decodes.
        const next = findNextMagic(chunk.subarray(0, bytesRead), at + 1);
        const skipTo = next === -1 ? bytesRead : next;
        read.skippedBytes += skipTo - at;
        at = skipTo;
      }
      if (at > 0) want = Math.max(want, readChunkBytes);
      read.offset += at;
    }
    return read;
  } finally {
    await file.close();
  }
}
