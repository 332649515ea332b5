import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ConnectionReport, SideReport } from '../../src/collector/network/analysis-report.js';
import { FlowTracker } from '../../src/collector/network/flow-tracker.js';
import { readCaptureFile } from '../../src/collector/network/capture-file-reader.js';
import { connectionReports } from '../../src/collector/network/analysis-report.js';
import { localCaptureDir, sharedCaptureDir } from './capture-files.js';

// Every capture against tshark 4's figures for it (scripts/expected-from-tshark.mjs writes
// them): times within a microsecond, counts exactly. Two known, intended differences:
// - tshark takes a SYN stamped exactly 0.000000000 (the epoch) for "no SYN seen" and reports
//   no handshake round trip; the collector measures it.
// - tshark finds server names inside QUIC and RDP-over-UDP (DTLS) handshakes; the collector
//   reads them from TLS over TCP only.
const toleranceSeconds = 1e-6;
const expectedDir = join(import.meta.dirname, '../fixtures/network-expected');

interface ExpectedSide extends Omit<SideReport, 'kilobytesPerSecond'> {}
interface ExpectedConnection {
  transport: 'tcp' | 'udp';
  start: string;
  orig: string;
  resp: string;
  handshakeRttSeconds?: number;
  ackRttSeconds: number[];
  serverName?: string;
  origSide: ExpectedSide;
  respSide: ExpectedSide;
}

const endpoint = (address: string, port: number) => `${address}:${port}`;
const key = (transport: string, start: string, orig: string, resp: string) =>
  `${start} ${transport} ${orig} ${resp}`;

async function analyse(
  path: string,
): Promise<{ reports: ConnectionReport[]; samples: number[][] }> {
  const tracker = new FlowTracker({ keepAckRttSamples: true });
  await readCaptureFile(path, tracker);
  tracker.finish();
  const reports = connectionReports(tracker);
  const samples = reports.map((r) => (tracker.ackRttSamples![r.id] ?? []).map((n) => n / 1e9));
  return { reports, samples };
}

function assertClose(actual: number | undefined, expected: number | undefined, what: string) {
  if (expected === undefined || actual === undefined) return assert.equal(actual, expected, what);
  assert.ok(
    Math.abs(actual - expected) <= toleranceSeconds,
    `${what}: ${actual} s, tshark ${expected} s`,
  );
}

function assertSide(actual: SideReport, expected: ExpectedSide, what: string) {
  const { kilobytesPerSecond: _, ...counts } = actual;
  assert.deepEqual(counts, expected, what);
}

const captures = [
  ...readdirSync(sharedCaptureDir).map((name) => join(sharedCaptureDir, name)),
  ...readdirSync(localCaptureDir).map((name) => join(localCaptureDir, name)),
].filter((path) => /\.pcap(ng)?$/.test(path));

describe('connections measured like tshark 4 measures them', () => {
  for (const path of captures) {
    const name = path.split('/').pop()!;
    it(`match tshark on ${name}`, async () => {
      const expected: ExpectedConnection[] = JSON.parse(
        readFileSync(join(expectedDir, `${name}.json`), 'utf8'),
      ).connections;
      const { reports, samples } = await analyse(path);
      const ours = new Map(
        reports.map((r) => [
          key(
            r.transport,
            r.start,
            endpoint(r.origAddress, r.origPort),
            endpoint(r.respAddress, r.respPort),
          ),
          r,
        ]),
      );

      assert.deepEqual(
        [...ours.keys()].sort(),
        expected.map((e) => key(e.transport, e.start, e.orig, e.resp)).sort(),
        'the same connections',
      );
      for (const e of expected) {
        const what = `${e.transport} ${e.orig} -> ${e.resp}`;
        const report = ours.get(key(e.transport, e.start, e.orig, e.resp))!;
        // tshark takes a SYN at exactly the epoch for "no SYN" (see above).
        if (!(e.start === '0.000000000' && e.handshakeRttSeconds === undefined)) {
          assertClose(
            report.handshakeRttSeconds,
            e.handshakeRttSeconds,
            `${what} handshake round trip`,
          );
        }
        const ackRtts = samples[report.id]!;
        assert.equal(ackRtts.length, e.ackRttSeconds.length, `${what} number of ack round trips`);
        ackRtts.forEach((seconds, i) =>
          assertClose(seconds, e.ackRttSeconds[i], `${what} ack round trip ${i}`),
        );
        assertSide(report.orig, e.origSide, `${what} from the originator`);
        assertSide(report.resp, e.respSide, `${what} from the responder`);
        if (e.transport === 'tcp' && e.serverName !== undefined)
          assert.equal(report.serverName, e.serverName, `${what} server name`);
      }
    });
  }
});
