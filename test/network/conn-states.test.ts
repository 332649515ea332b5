import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeCaptureFile } from '../../src/collector/network/network-analysis.js';
import { localCaptureDir, sharedCaptureDir } from './capture-files.js';

// Expected states were derived by Zeek's rules; the file says how.
const expected: {
  captures: Record<string, { connection: string; connState: string; history?: string }[]>;
} = JSON.parse(
  readFileSync(join(import.meta.dirname, '../fixtures/network-expected/conn-states.json'), 'utf8'),
);

describe("connection states by Zeek's conn_state rules", () => {
  for (const [capture, connections] of Object.entries(expected.captures)) {
    it(`give every connection in ${capture} its expected state and history`, async () => {
      const dir =
        capture.startsWith('sanders-') || capture.startsWith('zeek-') || capture.startsWith('ndpi-')
          ? sharedCaptureDir
          : localCaptureDir;
      const report = await analyzeCaptureFile(join(dir, capture));

      const actual = report.connections.map((c) => ({
        connection:
          `${c.transport} ${c.origAddress}:${c.origPort} > ` +
          `${c.respAddress}:${c.respPort} at ${c.start}`,
        connState: c.connState,
        ...(c.history !== undefined && { history: c.history }),
      }));
      assert.deepEqual(actual, connections);
    });
  }
});
