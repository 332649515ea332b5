import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { PacketRecord } from '../../src/collector/network/capture-packet.js';
import { DecodedPacket, decodePacket } from '../../src/collector/network/packet-decoder.js';
import { localCaptureDir, readAll, sharedCaptureDir, type CopiedPacket } from './capture-files.js';

// Real IP packets (from real captures) wrapped in each link-layer header the decoder knows, and
// in tunnels and IPv6 extension headers: every wrapping must decode to the same packet.
const bytes = (...values: number[]) => Uint8Array.from(values);
const join2 = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((part) => [...part]));
const ipv4Header = (payloadBytes: number, protocol: number) => {
  const header = bytes(
    0x45,
    0,
    0,
    0,
    0,
    0,
    0x40,
    0,
    64,
    protocol,
    0,
    0,
    198,
    18,
    9,
    1,
    198,
    18,
    9,
    2,
  );
  new DataView(header.buffer).setUint16(2, 20 + payloadBytes);
  return header;
};
const withIpv6Extensions = (ip: Uint8Array) => {
  // Hop-by-hop (8 bytes of padding options) then destination options, before the transport.
  const copy = Uint8Array.from(ip);
  const view = new DataView(copy.buffer);
  const transport = copy[6]!;
  copy[6] = 0;
  view.setUint16(4, view.getUint16(4) + 16);
  const extensions = bytes(60, 0, 1, 4, 0, 0, 0, 0, transport, 0, 1, 4, 0, 0, 0, 0);
  return join2(copy.subarray(0, 40), extensions, copy.subarray(40));
};

const ipv4Wrappings: Record<string, [number, (ip: Uint8Array) => Uint8Array]> = {
  'raw IP (101)': [101, (ip) => ip],
  'raw IP (12)': [12, (ip) => ip],
  'raw IP (14)': [14, (ip) => ip],
  'IPv4 (228)': [228, (ip) => ip],
  'Linux cooked v1 (113)': [
    113,
    (ip) => join2(bytes(0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 8, 0), ip),
  ],
  'Linux cooked v2 (276)': [
    276,
    (ip) => join2(bytes(8, 0, 0, 0, 0, 0, 0, 1, 0, 1, 4, 6, 1, 2, 3, 4, 5, 6, 0, 0), ip),
  ],
  'BSD null, little-endian (0)': [0, (ip) => join2(bytes(2, 0, 0, 0), ip)],
  'BSD null, big-endian (0)': [0, (ip) => join2(bytes(0, 0, 0, 2), ip)],
  'OpenBSD loop (108)': [108, (ip) => join2(bytes(0, 0, 0, 2), ip)],
  'PPP (9)': [9, (ip) => join2(bytes(0, 0x21), ip)],
  'PPP in HDLC framing (50)': [50, (ip) => join2(bytes(0xff, 0x03, 0, 0x21), ip)],
  'Ethernet with QinQ (1)': [
    1,
    (ip) => join2(new Uint8Array(12), bytes(0x88, 0xa8, 0, 200, 0x81, 0, 0, 100, 8, 0), ip),
  ],
  'Ethernet with PPPoE (1)': [
    1,
    (ip) => join2(new Uint8Array(12), bytes(0x88, 0x64, 0x11, 0, 0, 1, 0, 0, 0, 0x21), ip),
  ],
  'Ethernet with MPLS (1)': [
    1,
    (ip) => join2(new Uint8Array(12), bytes(0x88, 0x47, 0, 1, 0, 64, 0, 2, 1, 64), ip),
  ],
  'IPv4 in IPv4': [101, (ip) => join2(ipv4Header(ip.length, 4), ip)],
};

function record(linkType: number, frame: Uint8Array, wireExtra = 0): PacketRecord {
  const data = join2(bytes(0xee, 0xee), frame);
  return {
    data,
    offset: 2,
    capturedLength: frame.length,
    wireLength: frame.length + wireExtra,
    timeSeconds: 0,
    timeNanos: 0,
    linkType,
    interfaceIndex: 0,
  };
}

function decoded(packet: PacketRecord): Partial<DecodedPacket> {
  const out = new DecodedPacket();
  assert.equal(decodePacket(packet, out), true, `not decoded: ${out.skip}`);
  const {
    src0,
    src1,
    src2,
    src3,
    dst0,
    dst3,
    srcPort,
    dstPort,
    seq,
    ack,
    tcpFlags,
    payloadLength,
  } = out;
  return {
    src0,
    src1,
    src2,
    src3,
    dst0,
    dst3,
    srcPort,
    dstPort,
    seq,
    ack,
    tcpFlags,
    payloadLength,
  };
}

function ipPackets(packets: CopiedPacket[], etherType: number): Uint8Array[] {
  return packets
    .filter((p) => p.bytes[12] === etherType >> 8 && p.bytes[13] === (etherType & 0xff))
    .map((p) => p.bytes.subarray(14));
}

describe('link layers, tunnels and IPv6 extension headers', async () => {
  const ipv4 = ipPackets(
    (await readAll(join(sharedCaptureDir, 'sanders-http_google.pcapng'))).packets,
    0x0800,
  );
  const ipv6 = (await readAll(join(localCaptureDir, 'ipv6-loopback-nano.pcap'))).packets.map((p) =>
    p.bytes.subarray(14),
  );

  for (const [name, [linkType, wrap]] of Object.entries(ipv4Wrappings)) {
    it(`decode IPv4 packets under ${name} like the bare packets`, () => {
      for (const ip of ipv4)
        assert.deepEqual(decoded(record(linkType, wrap(ip))), decoded(record(101, ip)));
    });
  }

  it('decode IPv6 packets with extension headers and inside IPv4 (6in4)', () => {
    for (const ip of ipv6) {
      const bare = decoded(record(101, ip));
      assert.deepEqual(decoded(record(101, withIpv6Extensions(ip))), bare);
      assert.deepEqual(decoded(record(101, join2(ipv4Header(ip.length, 41), ip))), bare);
      assert.deepEqual(decoded(record(229, ip)), bare);
    }
  });

  it('count rather than read past a frame cut inside its headers', () => {
    const cut = record(1, join2(new Uint8Array(12), bytes(8, 0), ipv4[0]!.subarray(0, 30)), 100);
    const out = new DecodedPacket();

    assert.equal(decodePacket(cut, out), false);
    assert.equal(out.skip, 'truncated_transport_header');
  });

  it('name link types it does not know', () => {
    const out = new DecodedPacket();
    assert.equal(decodePacket(record(147, ipv4[0]!), out), false);
    assert.equal(out.skip, 'unknown_link_type');
  });
});
