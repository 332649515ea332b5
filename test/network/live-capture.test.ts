import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { combinedCaptureSource } from '../../src/collector/capture/capture-source.js';
import { connectionReports } from '../../src/collector/network/analysis-report.js';
import { readCaptureFile } from '../../src/collector/network/capture-file-reader.js';
import { FlowTracker } from '../../src/collector/network/flow-tracker.js';
import { startNetworkCollector } from '../../src/collector/network-collector.js';
import { silentLogger } from '../../src/shared/logger.js';
import { hubApi } from '../support/hub-api.js';
import { skipUnlessProvided } from '../support/needs.js';
import { issueToken } from '../support/test-collector.js';
import { startTestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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

    await replayAndWait(veth, () => live.packetsSeen, capturedPackets);
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

/** Packets of the capture file by transport, as the flow tracker counts them. */
async function packetsByTransport(file: string): Promise<Record<string, number>> {
  const offline = new FlowTracker();
  await readCaptureFile(file, offline);
  offline.finish();
  const counts: Record<string, number> = {};
  for (const c of connectionReports(offline)) {
    counts[c.transport] = (counts[c.transport] ?? 0) + c.orig.packets + c.resp.packets;
  }
  return counts;
}

/** Replays the file onto the pair and waits until `seen()` reaches `expected` (or 5 s). */
async function replayAndWait(pair: VethPair, seen: () => number, expected: number) {
  const replay = pair.inNamespace([
    'tcpreplay',
    '-q',
    `--pps=${replayPacketsPerSecond}`,
    `--intf1=${pair.sendSide}`,
    capture,
  ]);
  assert.equal(replay.status, 0, replay.stderr);
  const deadline = Date.now() + 5_000;
  while (seen() < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // A little longer, so that packets the filter should have kept out would have arrived.
  await new Promise((resolve) => setTimeout(resolve, 200));
}

describe('a live capture filter changed while running', { skip }, () => {
  let veth: VethPair;
  before(() => {
    veth = createVethPair(`f${process.pid % 100_000}`);
  });
  after(() => veth?.remove());

  it('captures what a new filter lets through from the change on; refuses a bad one', async () => {
    const { tcp, udp } = await packetsByTransport(capture);
    assert.ok(tcp! > 0 && udp! > 0, 'the capture has both');
    const { liveCaptureSource } =
      await import('../../src/collector/capture/live-capture-source.js');
    const source = liveCaptureSource({ interfaceName: veth.captureSide, filter: 'udp' });
    const live = new FlowTracker();
    const running = source.run(live);
    try {
      await replayAndWait(veth, () => live.packetsSeen, udp!);
      assert.equal(live.packetsSeen, udp, 'only UDP under "udp"');

      await source.setFilter!('tcp');
      assert.equal(source.filter, 'tcp');
      await replayAndWait(veth, () => live.packetsSeen, udp! + tcp!);
      assert.equal(live.packetsSeen, udp! + tcp!, 'then only TCP under "tcp"');

      await assert.rejects(source.setFilter!('tcp and and'), /capture filter "tcp and and"/);
      assert.equal(source.filter, 'tcp', 'a refused filter changes nothing');
      assert.equal(source.drops(), 0);
    } finally {
      await source.stop();
      await running;
    }
  });
});

describe(
  `a network collector following its policy's capture filter (${storeKind} store)`,
  {
    skip,
  },
  () => {
    let veth: VethPair;
    before(() => {
      veth = createVethPair(`g${process.pid % 100_000}`);
    });
    after(() => veth?.remove());

    it('applies a changed filter from the hub with no restart, and reports a bad one', async () => {
      const { udp } = await packetsByTransport(capture);
      const hub = await startTestHub();
      const dir = await mkdtemp(join(tmpdir(), 'strata-network-policy-'));
      const { liveCaptureSource } =
        await import('../../src/collector/capture/live-capture-source.js');
      const collector = await startNetworkCollector({
        dataDir: join(dir, 'collector'),
        hubUrl: hub.url,
        token: await issueToken(hub, 'collector'),
        source: liveCaptureSource({ interfaceName: veth.captureSide }),
        logger: silentLogger(),
      });
      try {
        const api = hubApi(hub.url, await hub.signInAsAdmin());
        const setFilter = async (filter: string) => {
          const { body } = await api('GET', '/api/v1/policies');
          const policy = body.policies.find((p: any) => p.kind === 'collector' && p.isDefault);
          const changed = await api('PUT', `/api/v1/policies/${policy.id}`, {
            settings: { ...policy.settings, network: { filter } },
          });
          assert.equal(changed.status, 200, JSON.stringify(changed.body));
          await collector.checkPolicy();
        };
        assert.equal(collector.status().filter, '', 'no filter until the policy sets one');

        await setFilter('udp');
        assert.equal(collector.status().filter, 'udp');
        await replayAndWait(veth, () => collector.status().packetsSeen, udp!);
        assert.equal(collector.status().packetsSeen, udp, 'only what the policy lets through');

        await setFilter('udp port');
        const status = collector.status();
        assert.equal(status.filter, 'udp', 'a refused filter keeps the one in force');
        assert.match(String(status.filterProblem), /capture filter "udp port"/);
      } finally {
        await collector.close();
        await hub.cleanup();
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);
