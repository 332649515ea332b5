import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readCaptureFile } from '../../src/collector/network/capture-file-reader.js';
import { readFlowBatch } from '../../src/collector/network/flow-batch-reader.js';
import { FlowBatchWriter } from '../../src/collector/network/flow-batch-writer.js';
import type { FlowRecord } from '../../src/collector/network/flow-record.js';
import { FlowTracker } from '../../src/collector/network/flow-tracker.js';
import { IntervalExporter } from '../../src/collector/network/interval-exporter.js';
import { analyzeCaptureFile } from '../../src/collector/network/network-analysis.js';
import { feed, segment, tcpFlags, type Endpoints } from '../support/raw-packets.js';
import { localCaptureDir, sharedCaptureDir } from './capture-files.js';

const captures = [sharedCaptureDir, localCaptureDir].flatMap((dir) =>
  readdirSync(dir)
    .filter((name) => /\.pcap(ng)?$/.test(name))
    .map((name) => join(dir, name)),
);

/** Interval records of a capture, after a round trip through the binary batch form. */
async function recordsOf(path: string, intervalSeconds = 60): Promise<FlowRecord[]> {
  const writer = new FlowBatchWriter();
  const exporter = new IntervalExporter((record) => writer.add(record));
  const tracker = new FlowTracker({ ...exporter, intervalSeconds });
  await readCaptureFile(path, tracker);
  tracker.finish();
  const batch = readFlowBatch(writer.finish(Date.now()));
  assert.equal(batch.batchId, writer.batchId);
  return batch.records;
}

const connectionOf = (r: { transport: string; origAddress: string; origPort: number }) =>
  `${r.transport} ${r.origAddress}:${r.origPort}`;

describe('interval records', () => {
  it('add up, interval by interval, to the figures of each whole connection', async () => {
    for (const path of captures) {
      const { connections } = await analyzeCaptureFile(path);
      const records = await recordsOf(path, 1);

      for (const c of connections) {
        const start = c.start.split('.').map(Number);
        const mine = records.filter(
          (r) =>
            connectionOf(r) === connectionOf(c) &&
            r.respAddress === c.respAddress &&
            r.respPort === c.respPort &&
            r.startSeconds === start[0] &&
            r.startNanos === start[1],
        );
        const sum = (pick: (r: FlowRecord) => number) => mine.reduce((s, r) => s + pick(r), 0);
        const what = `${path}: ${connectionOf(c)} at ${c.start}`;
        assert.equal(mine.at(-1)?.end === 'open', false, what);
        assert.equal(mine.filter((r) => r.end !== 'open').length, 1, what);
        assert.equal(
          sum((r) => r.orig.packets),
          c.orig.packets,
          what,
        );
        assert.equal(
          sum((r) => r.resp.bytes),
          c.resp.bytes,
          what,
        );
        assert.equal(
          sum((r) => r.orig.retransmissions),
          c.orig.retransmissions,
          what,
        );
        assert.equal(
          sum((r) => r.ackRtt.count),
          c.ackRtt?.count ?? 0,
          what,
        );
        assert.equal(
          sum((r) => r.responseTime.count),
          c.responseTime?.count ?? 0,
          what,
        );
        assert.equal(mine.at(-1)!.connState, c.connState, what);
        assert.equal(mine.at(-1)!.protocol, c.protocol, what);
        const handshakes = mine.filter((r) => r.handshakeRttNanos !== undefined);
        assert.equal(handshakes.length, c.handshakeRttSeconds === undefined ? 0 : 1, what);
        if (c.ackRtt) {
          const min = Math.min(
            ...mine.filter((r) => r.ackRtt.count > 0).map((r) => r.ackRtt.minNanos),
          );
          assert.equal(min / 1e9, c.ackRtt.minSeconds, what);
        }
      }
    }
  });

  it('write one record a minute for a connection that goes on, with only that minute in it', () => {
    const web: Endpoints = {
      client: '10.0.0.1',
      server: '10.0.0.2',
      clientPort: 40_000,
      serverPort: 443,
    };
    const records: FlowRecord[] = [];
    const exporter = new IntervalExporter((record) => records.push(record));
    const tracker = new FlowTracker(exporter);
    const minute = 1_700_000_040; // a whole minute

    feed(tracker, web, [
      segment(minute + 10, true, tcpFlags.syn, 100),
      segment(minute + 11, false, tcpFlags.syn | tcpFlags.ack, 500, 101),
      segment(minute + 70, true, tcpFlags.ack, 101, 501),
      segment(minute + 75, true, tcpFlags.ack, 101, 501),
      segment(minute + 200, true, tcpFlags.ack, 101, 501),
    ]);
    tracker.finish();

    assert.deepEqual(
      records.map((r) => [
        r.intervalStartSeconds - minute,
        r.intervalEndSeconds - minute,
        r.orig.packets,
        r.resp.packets,
        r.end,
      ]),
      [
        [10, 60, 1, 1, 'open'],
        // Nothing moves the clock between 75 s and 200 s: the next record closes at 180 s.
        [60, 180, 2, 0, 'open'],
        [180, 200, 1, 0, 'finished'],
      ],
    );
    assert.equal(records[1]!.handshakeRttNanos, 60e9, 'in the record of the minute the ACK came');
  });
});
