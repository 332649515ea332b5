import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readCaptureBytes } from '../../src/collector/network/capture-file-reader.js';
import { FlowTracker } from '../../src/collector/network/flow-tracker.js';
import { connectionReports } from '../../src/collector/network/analysis-report.js';
import { localCaptureDir, sharedCaptureDir } from './capture-files.js';

// Random damage to real captures, from a fixed seed so that a failure reproduces: flipped
// bytes, cut files, lying length fields, garbage inserted, absurd timestamps. The readers and
// the analysis must neither throw nor loop: each run is bounded by the iteration count, and the
// work per run by the bytes it was given.
const seed = 0x5eed_2024;
const iterationsPerCapture = 60;
// Prefixes keep the run short; damage lands in headers and records alike.
const maxBytesPerCapture = 96 * 1024;

function random(state: { s: number }): number {
  // mulberry32
  let t = (state.s = (state.s + 0x6d2b79f5) | 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function mutate(original: Uint8Array, rng: { s: number }): Uint8Array {
  const bytes = Uint8Array.from(original);
  const pick = (n: number) => Math.floor(random(rng) * n);
  switch (pick(5)) {
    case 0: // flipped bytes
      for (let i = 0, n = 1 + pick(24); i < n; i++) bytes[pick(bytes.length)] = pick(256);
      return bytes;
    case 1: // cut short
      return bytes.subarray(0, pick(bytes.length));
    case 2: {
      // a length or timestamp field overwritten with an extreme value
      const view = new DataView(bytes.buffer);
      const at = pick(Math.max(1, bytes.length - 4));
      view.setUint32(
        at,
        [0xffffffff, 0x7fffffff, 0, 0x10000, pick(0xffffffff)][pick(5)]!,
        random(rng) < 0.5,
      );
      return bytes;
    }
    case 3: {
      // garbage inserted
      const at = pick(bytes.length);
      const garbage = Uint8Array.from({ length: 1 + pick(64) }, () => pick(256));
      return Uint8Array.from([...bytes.subarray(0, at), ...garbage, ...bytes.subarray(at)]);
    }
    default: // a run of bytes zeroed
      bytes.fill(0, pick(bytes.length), pick(bytes.length));
      return bytes;
  }
}

const captures = [
  ...readdirSync(sharedCaptureDir).map((name) => join(sharedCaptureDir, name)),
  ...readdirSync(localCaptureDir).map((name) => join(localCaptureDir, name)),
].filter((path) => /\.pcap(ng)?$/.test(path));

describe('damaged captures', () => {
  it(`never throw or run away over ${iterationsPerCapture} mutations of each capture`, async () => {
    const rng = { s: seed };
    let runs = 0;
    for (const path of captures) {
      const original = readFileSync(path).subarray(0, maxBytesPerCapture);
      for (let i = 0; i < iterationsPerCapture; i++) {
        const damaged = mutate(original, rng);
        const tracker = new FlowTracker();
        const chunkBytes = [64, 1500, 1 << 20][i % 3];

        const summary = await readCaptureBytes(damaged, tracker, { chunkBytes });
        tracker.finish();
        const reports = connectionReports(tracker);

        // Every record takes at least 12 bytes of file, so more packets than that means a loop.
        assert.ok(tracker.packetsSeen <= damaged.length / 12, `${path} run ${i}`);
        assert.ok(summary.bytesRead <= damaged.length);
        assert.ok(reports.length <= tracker.packetsAnalysed);
        runs++;
      }
    }
    assert.equal(runs, captures.length * iterationsPerCapture);
  });
});
