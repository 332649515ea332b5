import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  collectorView,
  tcpPacket,
  udpPacket,
  type PacketSpec,
} from '../../../test/support/connector-packets.js';
import { fixIpv4HeaderChecksum } from './internet-checksum.js';
import { deriveMachineKey } from './machine-keys.js';
import type { FlaggedTag, TagVerifierOptions } from './tag-verdicts.js';
import { TagVerifier } from './tag-verifier.js';
import { TagWriter } from './tag-writer.js';

const secret = Buffer.alloc(32, 9);
const siteSecrets = new Map([[2, secret]]);
const now = 1_750_000_000;
const spec: PacketSpec = {
  ipVersion: 4,
  source: [0xc6120001],
  destination: [0xc6120002],
  sourcePort: 51_000,
  destinationPort: 3389,
};

function writerFor(machineNumber: number, key = secret, sourceUnbound = false) {
  const machineKey = deriveMachineKey(key, 2, machineNumber);
  return new TagWriter({ machineNumber, keyId: 2, machineKey, sourceUnbound });
}

function taggedSyn(writer: TagWriter, userNumber: number, tagSeconds = now) {
  const { packet, length } = tcpPacket(spec, 0x01020304);
  const result = writer.tagTcpSyn(packet, length, userNumber, tagSeconds);
  assert.equal(result.status, 'tagged');
  return { packet, length: length + 16 };
}

function verifier(options: Partial<TagVerifierOptions> = {}) {
  const flags: FlaggedTag[] = [];
  const v = new TagVerifier({ siteSecrets, onFlag: (f) => flags.push(f), ...options });
  return { v, flags };
}

test('a tagged SYN and a tagged datagram name their user and machine', () => {
  const { v } = verifier();
  const syn = taggedSyn(writerFor(700), 31);
  assert.deepEqual(v.fromTcpSyn(collectorView(syn.packet, syn.length, now)), {
    machineId: 700,
    userId: 31,
    source: 'tag',
  });
  const { packet, length } = udpPacket(spec, Buffer.from('hello'));
  writerFor(700).tagUdpDatagram(packet, length, 0, now);
  // User number 0: the socket's owner has none, so only the machine is named.
  assert.deepEqual(v.fromUdpDatagram(collectorView(packet, length + 22, now)), {
    machineId: 700,
    source: 'tag',
  });
  assert.equal(v.counts.valid, 2);
});

test('untagged traffic is counted, not flagged', () => {
  const { v, flags } = verifier();
  const { packet, length } = tcpPacket(spec, 1);
  assert.equal(v.fromTcpSyn(collectorView(packet, length, now)), undefined);
  const datagram = udpPacket(spec, Buffer.from('x'));
  assert.equal(v.fromUdpDatagram(collectorView(datagram.packet, datagram.length, now)), undefined);
  assert.equal(v.counts.untagged, 2);
  assert.deepEqual(flags, []);
});

test('a tag made with another key is flagged as a bad MAC', () => {
  const { v, flags } = verifier();
  const forged = taggedSyn(writerFor(700, Buffer.alloc(32, 1)), 31);
  assert.equal(v.fromTcpSyn(collectorView(forged.packet, forged.length, now)), undefined);
  assert.equal(flags[0]?.verdict, 'bad_mac');
  assert.equal(flags[0]?.machineNumber, 700);
  assert.equal(flags[0]?.sourcePort, 51_000);
});

test('a good tag from a revoked machine is flagged; a new policy can lift it', () => {
  const { v, flags } = verifier({ revokedMachines: new Set([700]) });
  const syn = taggedSyn(writerFor(700), 31);
  assert.equal(v.fromTcpSyn(collectorView(syn.packet, syn.length, now)), undefined);
  assert.equal(flags[0]?.verdict, 'revoked_machine');
  v.setRevokedMachines(new Set());
  assert.equal(v.fromTcpSyn(collectorView(syn.packet, syn.length, now))?.machineId, 700);
});

test('a key id the collector has no secret for is flagged as unknown_key', () => {
  const { v, flags } = verifier({ siteSecrets: new Map([[5, secret]]) });
  const syn = taggedSyn(writerFor(700), 31);
  v.fromTcpSyn(collectorView(syn.packet, syn.length, now));
  assert.equal(flags[0]?.verdict, 'unknown_key');
});

test('with replay protection a tag is accepted once, and a stale one not at all', () => {
  const { v, flags } = verifier({ replayProtection: true, maxClockSkewSeconds: 30 });
  const syn = taggedSyn(writerFor(700), 31);
  assert.equal(v.fromTcpSyn(collectorView(syn.packet, syn.length, now + 2))?.userId, 31);
  assert.equal(v.fromTcpSyn(collectorView(syn.packet, syn.length, now + 50)), undefined);
  assert.equal(v.fromTcpSyn(collectorView(syn.packet, syn.length, now + 10)), undefined);
  assert.deepEqual(
    flags.map((f) => f.verdict),
    ['stale', 'replayed'],
  );
  // Without replay protection the same packet passes every time.
  const open = verifier().v;
  for (let i = 0; i < 3; i++)
    assert.ok(open.fromTcpSyn(collectorView(syn.packet, syn.length, now + 5000)));
});

test('the S flag lets a tag survive source NAT; without it NAT breaks the MAC', () => {
  for (const sourceUnbound of [true, false]) {
    const syn = taggedSyn(writerFor(701, secret, sourceUnbound), 8);
    // A NAT on the way rewrites the source address and port.
    syn.packet.writeUInt32BE(0xcb007101, 12);
    fixIpv4HeaderChecksum(syn.packet, 20);
    syn.packet.writeUInt16BE(62_000, 20);
    const seen = verifier().v.fromTcpSyn(collectorView(syn.packet, syn.length, now));
    assert.equal(seen?.machineId, sourceUnbound ? 701 : undefined);
  }
});

test('a trailer cut off by the snap length is counted as such', () => {
  const { v } = verifier();
  const { packet, length } = udpPacket(spec, Buffer.alloc(100));
  writerFor(700).tagUdpDatagram(packet, length, 1, now);
  const view = collectorView(packet, length + 22, now, 96);
  assert.equal(v.fromUdpDatagram(view), undefined);
  assert.equal(v.counts.cut_by_snap_length, 1);
});

test('a view without addresses is verified from the IP header before the transport header', () => {
  const { v } = verifier();
  const v6: PacketSpec = {
    ...spec,
    ipVersion: 6,
    source: [0xfd00, 0, 0, 1],
    destination: [0xfd00, 0, 0, 2],
  };
  for (const packetSpec of [spec, v6]) {
    const { packet, length } = tcpPacket(packetSpec, 99);
    writerFor(702).tagTcpSyn(packet, length, 5, now);
    const { ipVersion: _v, addressWords: _a, ...bare } = collectorView(packet, length + 16, now);
    assert.equal(v.fromTcpSyn(bare)?.userId, 5, `IPv${packetSpec.ipVersion}`);
  }
});
