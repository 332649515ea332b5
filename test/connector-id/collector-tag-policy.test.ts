import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { activate } from '../../src/agent/agent-identity.js';
import { elementHash } from '../../src/agent/connector-id/fingerprint-reader.js';
import { startTagVerification } from '../../src/collector/connector-tag-policy.js';
import { HubLink } from '../../src/collector/hub-link.js';
import { TagWriter } from '../../src/protocol/connector-id/tag-writer.js';
import { createKeyPair } from '../../src/protocol/key-pair.js';
import { collectorView, tcpPacket } from '../support/connector-packets.js';
import { activateTestAgent, issueToken } from '../support/test-collector.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

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

    const dataDir = await mkdtemp(join(tmpdir(), 'strata-test-collector-'));
    const keys = await createKeyPair();
    const token = await issueToken(hub, 'collector');
    const identity = await activate({
      dataDir,
      hubUrl: hub.url,
      token,
      kind: 'collector',
      name: 'n1',
      keys,
    });
    await rm(dataDir, { recursive: true, force: true });
    const started = await startTagVerification(new HubLink(identity, keys.privateKeyPem));
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
