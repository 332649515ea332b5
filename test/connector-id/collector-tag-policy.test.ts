import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { elementHash } from '../../src/agent/connector-id/fingerprint-reader.js';
import { startTagVerification } from '../../src/collector/connector-tag-policy.js';
import { TagWriter } from '../../src/protocol/connector-id/tag-writer.js';
import { collectorView, tcpPacket } from '../support/connector-packets.js';
import { activateTestAgent } from '../support/test-collector.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';
import { activateCollectorIdentity } from './test-collector-identity.js';

describe(`keys from the hub, on both ends of a tag (${storeKind} store)`, () => {
  let hub: TestHub;

  before(async () => {
    hub = await startTestHub();
  });
  after(async () => {
    await hub?.cleanup();
  });

  it("verifies, with the collector's policy, a tag made with the agent's machine key", async () => {
    const agent = await activateTestAgent(hub);
    const fingerprint = {
      fqdn: elementHash('fqdn', 'desk-9.example'),
      disks: [],
      nics: [],
      controllers: [],
    };
    const claim = await agent.hub.request('/api/v1/agent/connector-id/machine', { fingerprint });
    assert.equal(claim.kind, 'reply');
    const machine = (
      claim as { body: { machineNumber: number; keyId: number; machineKey: string } }
    ).body;
    const writer = new TagWriter({
      machineNumber: machine.machineNumber,
      keyId: machine.keyId,
      machineKey: Buffer.from(machine.machineKey, 'base64'),
    });

    const { link } = await activateCollectorIdentity(hub);
    const started = await startTagVerification(link);
    assert.ok(!('problem' in started));

    const spec = {
      ipVersion: 4 as const,
      source: [0xc6120009],
      destination: [0xc612000a],
      sourcePort: 50_000,
      destinationPort: 22,
    };
    const { packet, length } = tcpPacket(spec, 1234);
    const now = Math.floor(Date.now() / 1000);
    writer.tagTcpSyn(packet, length, 0, now);
    const attribution = started.verifier.fromTcpSyn(collectorView(packet, length + 16, now));
    assert.deepEqual(attribution, { machineId: machine.machineNumber, source: 'tag' });
    started.stop();
  });
});
