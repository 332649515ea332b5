import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checksumsValid,
  linuxSynOptions,
  tcpPacket,
  udpPacket,
  type PacketSpec,
} from '../../../test/support/connector-packets.js';
import { deriveMachineKey } from './machine-keys.js';
import { tcpOptionBytes, udpTrailerBytes } from './tag-format.js';
import { TagWriter } from './tag-writer.js';

const secret = Buffer.alloc(32, 1);
const writer = new TagWriter({
  machineNumber: 0x123456,
  keyId: 3,
  machineKey: deriveMachineKey(secret, 3, 0x123456),
});
const v4: PacketSpec = {
  ipVersion: 4,
  source: [0xc6120001],
  destination: [0xc6120002],
  sourcePort: 40_000,
  destinationPort: 443,
};
const v6: PacketSpec = {
  ...v4,
  ipVersion: 6,
  source: [0xfd000000, 0, 0, 1],
  destination: [0xfd000000, 0, 0, 2],
};
const now = 1_700_000_000;

test('a SYN grows by one 16-byte option, keeps its options and gets valid checksums', () => {
  const { packet, length } = tcpPacket(v4, 0xdeadbeef);
  const before = Buffer.from(packet.subarray(0, length));
  const result = writer.tagTcpSyn(packet, length, 77, now);

  assert.deepEqual(result, { status: 'tagged', length: length + tcpOptionBytes });
  assert.equal(packet[32]! >> 4, (20 + linuxSynOptions.length + tcpOptionBytes) / 4);
  assert.deepEqual(packet.subarray(40, 60), linuxSynOptions);
  assert.deepEqual(packet.subarray(60, 64), Buffer.from([253, 16, 0x53, 0x54]));
  assert.deepEqual(packet.subarray(20, 28), before.subarray(20, 28), 'ports and sequence kept');
  assert.notEqual(packet.readUInt32BE(28), 0, 'the acknowledgement number carries the MAC');
  assert.ok(checksumsValid(packet, length + tcpOptionBytes));
});

test('data in a Fast Open SYN moves behind the option unchanged', () => {
  const data = Buffer.from('GET / HTTP/1.1\r\n');
  const { packet, length } = tcpPacket(v6, 1, Buffer.from('020405a0', 'hex'), data);
  const result = writer.tagTcpSyn(packet, length, 0, now);
  assert.equal(result.status, 'tagged');
  const end = length + tcpOptionBytes;
  assert.deepEqual(packet.subarray(end - data.length, end), data);
  assert.equal(packet.readUInt16BE(4), end - 40, 'IPv6 payload length');
  assert.ok(checksumsValid(packet, end));
});

test('a SYN whose options leave no room for ours passes untagged and unchanged', () => {
  const options = Buffer.concat([linuxSynOptions, Buffer.from('22060102030401010101', 'hex')]);
  const { packet, length } = tcpPacket(v4, 5, options.subarray(0, 28));
  const before = Buffer.from(packet);
  assert.deepEqual(writer.tagTcpSyn(packet, length, 1, now), {
    status: 'untaggable',
    reason: 'no_option_space',
  });
  assert.deepEqual(packet, before);
});

test('a SYN-ACK, a plain ACK and a second tagging are left alone', () => {
  for (const flags of [0x12, 0x10]) {
    const { packet, length } = tcpPacket(v4, 9, linuxSynOptions, Buffer.alloc(0), flags);
    assert.deepEqual(writer.tagTcpSyn(packet, length, 1, now), {
      status: 'untaggable',
      reason: 'not_tcp_syn',
    });
  }
  const { packet, length } = tcpPacket(v4, 9);
  const first = writer.tagTcpSyn(packet, length, 1, now);
  assert.equal(first.status, 'tagged');
  const again = writer.tagTcpSyn(packet, length + tcpOptionBytes, 1, now);
  assert.deepEqual(again, { status: 'untaggable', reason: 'already_tagged' });
});

test('a datagram gets a 22-byte trailer outside its UDP length; its checksum still holds', () => {
  const payload = Buffer.from('ping 0123456789');
  for (const spec of [v4, v6]) {
    const { packet, length } = udpPacket(spec, payload);
    const udpBefore = Buffer.from(packet.subarray(length - payload.length - 8, length));
    const result = writer.tagUdpDatagram(packet, length, 42, now);
    assert.deepEqual(result, { status: 'tagged', length: length + udpTrailerBytes });
    assert.deepEqual(packet.subarray(length - udpBefore.length, length), udpBefore);
    assert.deepEqual(packet.subarray(length, length + 2), Buffer.from([0x53, 0x54]));
    assert.ok(checksumsValid(packet, length + udpTrailerBytes), `IPv${spec.ipVersion}`);
  }
});

test('a datagram that would outgrow the link MTU, or is tagged already, passes untagged', () => {
  const { packet, length } = udpPacket(v4, Buffer.alloc(1472));
  assert.deepEqual(writer.tagUdpDatagram(packet, length, 1, now, 1500), {
    status: 'untaggable',
    reason: 'over_mtu',
  });
  const small = udpPacket(v4, Buffer.alloc(10));
  writer.tagUdpDatagram(small.packet, small.length, 1, now);
  assert.deepEqual(writer.tagUdpDatagram(small.packet, small.length + udpTrailerBytes, 1, now), {
    status: 'untaggable',
    reason: 'already_tagged',
  });
});

test('a writer refuses numbers no tag can carry', () => {
  const machineKey = Buffer.alloc(16);
  assert.throws(() => new TagWriter({ machineNumber: 0, keyId: 0, machineKey }), RangeError);
  assert.throws(() => new TagWriter({ machineNumber: 2 ** 24, keyId: 0, machineKey }), RangeError);
  const { packet, length } = tcpPacket(v4, 1);
  assert.throws(() => writer.tagTcpSyn(packet, length, 2 ** 24, now), RangeError);
});
