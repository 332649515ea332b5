import { open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { syncFolder } from '../../shared/atomic-file.js';
import { segmentHeader } from './record-format.js';

const segmentNamePattern = /^(\d{16})\.seg$/;

/** File name of segment number `seq`: zero-padded, so names sort in queue order. */
export function segmentName(seq: number): string {
  return `${String(seq).padStart(16, '0')}.seg`;
}

/** Segment numbers found in `dir`, oldest first. */
export async function listSegments(dir: string): Promise<number[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .map((name) => segmentNamePattern.exec(name)?.[1])
    .filter((seq): seq is string => seq !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * Creates segment `seq` with its header, durably: the file and its folder entry are synced
 * before any record goes in, so an acknowledged record never sits in a file that could vanish.
 */
export async function createSegment(dir: string, seq: number) {
  const path = join(dir, segmentName(seq));
  const file = await open(path, 'wx', 0o600);
  try {
    await file.write(segmentHeader, 0, segmentHeader.length, 0);
    await file.sync();
    await syncFolder(dir);
    return file;
  } catch (error) {
    await file.close().catch(() => undefined);
    // A half-made segment (a full disk, say) would block the name; the next try starts clean.
    await rm(path, { force: true });
    throw error;
  }
}
