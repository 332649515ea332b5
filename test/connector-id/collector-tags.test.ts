/**
 * A running network collector reads Connector ID tags with the keys the hub gives it: a
 * connection whose SYN carries a valid tag is stored with the tag's machine, and a forged tag
 * is counted and attributes nothing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { elementHash } from '../../src/agent/connector-id/fingerprint-reader.js';
import { fileCaptureSource } from '../../src/collector/capture/capture-source.js';
import {
  startNetworkCollector,
  type RunningNetworkCollector,
} from '../../src/collector/network-collector.js';
import { LinkType } from '../../src/collector/network/capture-packet.js';
import { TagWriter } from '../../src/protocol/connector-id/tag-writer.js';
import { silentLogger } from '../../src/shared/logger.js';
import { writePcap } from '../support/capture-writer.js';
import { tcpPacket, type PacketSpec } from '../support/connector-packets.js';
import { sampleCallback } from '../support/sample-callback.js';
import { activateTestAgent, issueToken } from '../support/test-collector.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

const client = 0xc0000209; // 192.0.2.9
const server = 0xc6336407; // 198.51.100.7

describe(`Connector ID tags read by a running network collector (${storeKind} store)`, () => {
  let hub: TestHub;
  let dir: string;
  let collector: RunningNetworkCollector | undefined;

  before(async () => {
    hub = await startTestHub();
    dir = await mkdtemp(join(tmpdir(), 'strata-collector-tags-'));
  });
  after(async () => {
    await collector?.close();
    await hub?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it("stores a tagged connection with the tag's machine and counts a forged tag", async () => {
    const agent = await activateTestAgent(hub, 'desk-tagged');
    const stored = await agent.hub.request('/api/v1/callbacks', sampleCallback('desk-tagged'));
    assert.equal(stored.kind, 'reply');
    const fingerprint = {
      fqdn: elementHash('fqdn', 'desk-tagged.example'),
      ...{ disks: [], nics: [], controllers: [] },
    };
    const claim = await agent.hub.request('/api/v1/agent/connector-id/machine', { fingerprint });
    assert.equal(claim.kind, 'reply');
    const machine = (
      claim as { body: { machineNumber: number; keyId: number; machineKey: string } }
    ).body;

    const now = Math.floor(Date.now() / 1_000);
    const signed = new TagWriter({
      machineNumber: machine.machineNumber,
      keyId: machine.keyId,
      machineKey: Buffer.from(machine.machineKey, 'base64'),
    });
    const forger = new TagWriter({
      machineNumber: machine.machineNumber,
      keyId: machine.keyId,
      machineKey: Buffer.alloc(16, 7), // not the machine's key
    });
    const syn = (writer: TagWriter, sourcePort: number) => {
      const spec: PacketSpec = {
        ipVersion: 4,
        source: [client, 0, 0, 0],
        destination: [server, 0, 0, 0],
        sourcePort,
        destinationPort: 443,
      };
      const { packet, length } = tcpPacket(spec, 1_000 + sourcePort);
      const tagged = writer.tagTcpSyn(packet, length, 0, now);
      assert.equal(tagged.status, 'tagged');
      const bytes = packet.subarray(0, (tagged as { length: number }).length);
      return { bytes, wireLength: bytes.length, timeSeconds: now, timeNanos: 0, interfaceIndex: 0 };
    };
    const file = join(dir, 'tagged.pcap');
    await writeFile(
      file,
      writePcap([syn(signed, 50_001), syn(forger, 50_002)], {
        linkType: LinkType.raw,
        bigEndian: false,
        nanos: false,
      }),
    );

    collector = await startNetworkCollector({
      dataDir: join(dir, 'collector'),
      hubUrl: hub.url,
      token: await issueToken(hub, 'collector'),
      source: fileCaptureSource(file),
      deliverySeconds: 1,
      logger: silentLogger(),
    });
    await collector.inputDone;
    type Flow = { orig_port: number; attribution: string | null; machine_id: string | null };
    let flows: Flow[] = [];
    for (let waited = 0; flows.length < 2 && waited < 20_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      flows = await hub.context.store.query<Flow>(
        'SELECT orig_port, attribution, machine_id FROM network_flows ORDER BY orig_port',
      );
    }
    const [machineRow] = await hub.context.store.query<{ id: string }>(
      'SELECT id FROM machines WHERE agent_id = $1',
      [agent.identity.componentId],
    );
    assert.deepEqual(flows[0], {
      orig_port: 50_001,
      attribution: 'tag',
      machine_id: machineRow!.id,
    });
    assert.equal(flows[1]!.orig_port, 50_002);
    assert.notEqual(flows[1]!.attribution, 'tag', 'a forged tag names nobody');
    const counts = collector.status().tags!;
    assert.equal(counts.valid, 1);
    assert.equal(counts.bad_mac, 1);
  });
});
