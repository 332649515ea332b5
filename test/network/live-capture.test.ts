import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { combinedCaptureSource } from '../../src/collector/capture/capture-source.js';
import { connectionReports } from '../../src/collector/network/analysis-report.js';
import { readCaptureFile } from '../../src/collector/network/capture-file-reader.js';
import { FlowTracker } from '../../src/collector/network/flow-tracker.js';
import { skipUnlessProvided } from '../support/needs.js';
import { createVethPair, vethUnavailable, type VethPair } from '../support/veth-pair.js';
import { sharedCaptureDir } from './capture-files.js';

// Real traffic from a public capture (Ethernet, TCP and UDP, 1,540 packets of which 3 are ARP,
// which the capture filter leaves out), replayed onto a veth pair and captured live on the
// other end with libpcap.
const capture = join(sharedCaptureDir, 'ndpi-teams.pcap');
const capturedPackets = 1_537;
const replayPacketsPerSecond = 5_000;
// A second interface gets an RDP-over-TLS capture (658 packets, all TCP).
const secondCapture = join(sharedCaptureDir, 'zeek-rdp-rdp-to-ssl.pcap');
const secondCapturedPackets = 658;

/** Why the live capture test cannot run here: not root, a tool or the binding missing. */
async function unavailable(): Promise<string | null> {
  const missing = vethUnavailable();
  if (missing) return missing;
  try {
    (await import('../../src/collector/capture/pcap-binding.js')).loadPcapBinding();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

const skip = skipUnlessProvided(await unavailable());

/**
 * What must match between live and offline: everything that does not depend on times (the
 * replay sends at an even pace, so a late segment can count as a retransmission rather than
 * out of order, and the history letters with it).
 */
function shape(tracker: FlowTracker) {
  return connectionReports(tracker).map((c) => ({
    connection: `${c.transport} ${c.origAddress}:${c.origPort} > ${c.respAddress}:${c.respPort}`,
    orig: [c.orig.packets, c.orig.bytes, c.orig.payloadBytes],
    resp: [c.resp.packets, c.resp.bytes, c.resp.payloadBytes],
    state: [c.connState, c.protocol, c.serverName],
  }));
}

describe('live capture through libpcap', { skip }, () => {
  let veth: VethPair;
  let second: VethPair;

  before(() => {
    veth = createVethPair(`t${process.pid % 100_000}`);
    second = createVethPair(`u${process.pid % 100_000}`);
  });
  after(() => {
    veth?.remove();
    second?.remove();
  });

  it('sees every packet replayed onto a veth pair, and measures what the file says', async () => {
    const { liveCaptureSource } =
      await import('../../src/collector/capture/live-capture-source.js');
    const source = liveCaptureSource({ interfaceName: veth.captureSide, filter: 'not arp' });
    const live = new FlowTracker();
    const running = source.run(live);

    const replay = veth.inNamespace([
      'tcpreplay',
      '-q',
      `--pps=${replayPacketsPerSecond}`,
      `--intf1=${veth.sendSide}`,
      capture,
    ]);
    assert.equal(replay.status, 0, replay.stderr);
    const deadline = Date.now() + 5_000;
    while (live.packetsSeen < capturedPackets && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await source.stop();
    await running;
    live.finish();

    const offline = new FlowTracker();
    await readCaptureFile(capture, offline);
    offline.finish();
    assert.equal(live.packetsSeen, capturedPackets);
    assert.equal(source.stats().dropped, 0);
    const [seen, expected] = [shape(live), shape(offline)];
    assert.equal(seen.length, expected.length);
    for (const [i, connection] of seen.entries()) assert.deepEqual(connection, expected[i]);
  });

  it('measures two interfaces as one source, each packet once', async () => {
    const { liveCaptureSource } =
      await import('../../src/collector/capture/live-capture-source.js');
    const source = combinedCaptureSource([
      liveCaptureSource({ interfaceName: veth.captureSide, filter: 'not arp' }),
      liveCaptureSource({ interfaceName: second.captureSide, filter: 'not arp' }),
    ]);
    const live = new FlowTracker();
    const running = source.run(live);

    const replays = [
      [veth, capture],
      [second, secondCapture],
    ].map(([pair, file]) =>
      (pair as VethPair).inNamespace([
        'tcpreplay',
        '-q',
        `--pps=${replayPacketsPerSecond}`,
        `--intf1=${(pair as VethPair).sendSide}`,
        file as string,
      ]),
    );
    for (const replay of replays) assert.equal(replay.status, 0, replay.stderr);
    const expectedPackets = capturedPackets + secondCapturedPackets;
    const deadline = Date.now() + 5_000;
    while (live.packetsSeen < expectedPackets && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await source.stop();
    await running;
    live.finish();

    const offline = new FlowTracker();
    await readCaptureFile(capture, offline);
    await readCaptureFile(secondCapture, offline);
    offline.finish();
    assert.equal(live.packetsSeen, expectedPackets);
    assert.equal(source.drops(), 0);
    assert.equal(source.name, `live:${veth.captureSide},live:${second.captureSide}`);
    const sorted = (tracker: FlowTracker) =>
      shape(tracker).sort((a, b) => a.connection.localeCompare(b.connection));
    assert.deepEqual(sorted(live), sorted(offline));
  });
});
