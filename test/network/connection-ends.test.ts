import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connectionReports } from '../../src/collector/network/analysis-report.js';
import { readCaptureFile } from '../../src/collector/network/capture-file-reader.js';
import { FlowTracker } from '../../src/collector/network/flow-tracker.js';
import { analyzeCaptureFile } from '../../src/collector/network/network-analysis.js';
import {
  feed,
  handingOn,
  segment,
  tcpConversation,
  tcpFlags,
  type Endpoints,
} from '../support/raw-packets.js';
import { localCaptureDir, sharedCaptureDir } from './capture-files.js';

const web: Endpoints = {
  client: '10.0.0.1',
  server: '10.0.0.2',
  clientPort: 40_000,
  serverPort: 443,
};
const day = 1_700_000_000; // an epoch second to start the made-up traffic at

describe('connections that end', () => {
  it('hand on the old connection within a second when a new SYN reuses its ports', () => {
    const { tracker, ended } = handingOn();

    feed(tracker, web, [
      segment(day, true, tcpFlags.syn, 100),
      segment(day + 1, true, tcpFlags.syn, 9_000),
    ]);
    assert.equal(ended.length, 0);
    tracker.advanceTo(day + 2);
    assert.deepEqual(
      ended.map((c) => [c.id, c.reason]),
      [[0, 'replaced']],
    );
    tracker.finish();

    assert.deepEqual(
      ended.map((c) => [c.id, c.reusedPorts, c.reason]),
      [
        [0, false, 'replaced'],
        [1, true, 'finished'],
      ],
    );
  });

  it('reuse the memory of ended connections: a day of short ones fits in a few slots', () => {
    const { tracker, ended } = handingOn();
    const connections = 20_000;

    for (let i = 0; i < connections; i++) {
      const endpoints = { ...web, clientPort: 10_000 + (i % 50_000) };
      feed(tracker, endpoints, tcpConversation(day + i * 4));
    }
    tracker.finish();

    assert.equal(ended.length, connections);
    assert.ok(ended.every((c) => c.connState === 'SF' && c.responseTime?.count === 1));
    assert.ok(tracker.store.slotsUsed <= 4, `${tracker.store.slotsUsed} slots`);
  });

  it('report what keeping all connections reports, in captures without long silences', async () => {
    // ndpi-4in4tunnel's datagrams are hours apart: five connections instead of one, as in Zeek.
    const split = new Set(['ndpi-4in4tunnel.pcap']);
    const captures = [sharedCaptureDir, localCaptureDir].flatMap((dir) =>
      readdirSync(dir)
        .filter((name) => /\.pcap(ng)?$/.test(name))
        .map((name) => join(dir, name)),
    );
    for (const path of captures) {
      const kept = new FlowTracker();
      await readCaptureFile(path, kept);
      kept.finish();

      const handedOn = await analyzeCaptureFile(path);

      if (split.has(path.split('/').pop()!)) assert.equal(handedOn.connections.length, 5);
      else assert.deepEqual(handedOn.connections, connectionReports(kept), path);
    }
  });
});
