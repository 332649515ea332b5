// Helpers for the network tests: where the captures are, and a reader that keeps copies.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readCaptureFile,
  type CaptureReadSummary,
} from '../../src/collector/network/capture-file-reader.js';
import type { SkipReason } from '../../src/collector/network/capture-packet.js';

/** The public captures from other projects, kept in the repository with their origins. */
export const sharedCaptureDir = join(import.meta.dirname, '../fixtures/pcaps/public');
/** Captures made on this machine by scripts/make-test-captures.sh. */
export const localCaptureDir = join(import.meta.dirname, '../fixtures/pcaps');

export interface CopiedPacket {
  bytes: Uint8Array;
  wireLength: number;
  timeSeconds: number;
  timeNanos: number;
  linkType: number;
  interfaceIndex: number;
}

export async function readAll(
  path: string,
  options: { chunkBytes?: number } = {},
): Promise<{
  packets: CopiedPacket[];
  skipped: Partial<Record<SkipReason, number>>;
  summary: CaptureReadSummary;
}> {
  const packets: CopiedPacket[] = [];
  const skipped: Partial<Record<SkipReason, number>> = {};
  const summary = await readCaptureFile(
    path,
    {
      packet(record) {
        packets.push({
          // A copy: the reader reuses its chunk for the next bytes of the file.
          bytes: new Uint8Array(
            record.data.subarray(record.offset, record.offset + record.capturedLength),
          ),
          wireLength: record.wireLength,
          timeSeconds: record.timeSeconds,
          timeNanos: record.timeNanos,
          linkType: record.linkType,
          interfaceIndex: record.interfaceIndex,
        });
      },
      skip(reason) {
        skipped[reason] = (skipped[reason] ?? 0) + 1;
      },
    },
    options,
  );
  return { packets, skipped, summary };
}

/** Writes bytes to a fresh temporary file and returns its path. */
export function temporaryCapture(name: string, bytes: Uint8Array): string {
  const path = join(mkdtempSync(join(tmpdir(), 'strata-capture-')), name);
  writeFileSync(path, bytes);
  return path;
}
