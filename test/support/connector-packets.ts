// Raw IP packets for the Connector ID tests: a SYN with the options Linux sends, datagrams,
// and the view the network collector builds of a packet, made with the collector's decoder.
import type { TagPacketView } from '../../src/protocol/connector-id/tag-reader.js';
import {
  fixIpv4HeaderChecksum,
  fixTcpChecksum,
  finishChecksum,
  sumWords,
} from '../../src/protocol/connector-id/internet-checksum.js';
import { DecodedPacket } from '../../src/collector/network/decoded-packet.js';
import { decodeIp } from '../../src/collector/network/ip-layer.js';

/** Room left after a packet so a writer can grow it. */
export const spareBytes = 64;

/** MSS 1460, SACK permitted, timestamps, NOP, window scale 7: what Linux puts in a SYN. */
export const linuxSynOptions = Buffer.from('020405b40402080a0001e2400000000001030307', 'hex');

export interface PacketSpec {
  ipVersion: 4 | 6;
  /** Four words each; IPv4 uses the first. */
  source: number[];
  destination: number[];
  sourcePort: number;
  destinationPort: number;
}

/** A TCP segment (a SYN unless `flags` says otherwise) in an IP packet with spare room. */
export function tcpPacket(
  spec: PacketSpec,
  seq: number,
  options: Uint8Array = linuxSynOptions,
  payload: Uint8Array = Buffer.alloc(0),
  flags = 0x02,
): { packet: Buffer; length: number } {
  const tcp = Buffer.alloc(20 + options.length + payload.length);
  tcp.writeUInt16BE(spec.sourcePort, 0);
  tcp.writeUInt16BE(spec.destinationPort, 2);
  tcp.writeUInt32BE(seq >>> 0, 4);
  tcp[12] = ((20 + options.length) / 4) << 4;
  tcp[13] = flags;
  tcp.writeUInt16BE(64_240, 14);
  Buffer.from(options).copy(tcp, 20);
  Buffer.from(payload).copy(tcp, 20 + options.length);
  const built = ipPacket(spec, 6, tcp);
  fixTcpChecksum(built.packet, spec.ipVersion, spec.ipVersion === 4 ? 20 : 40, built.length);
  return built;
}

/** A UDP datagram with a valid checksum, in an IP packet with spare room. */
export function udpPacket(
  spec: PacketSpec,
  payload: Uint8Array,
): { packet: Buffer; length: number } {
  const udp = Buffer.alloc(8 + payload.length);
  udp.writeUInt16BE(spec.sourcePort, 0);
  udp.writeUInt16BE(spec.destinationPort, 2);
  udp.writeUInt16BE(udp.length, 4);
  Buffer.from(payload).copy(udp, 8);
  const built = ipPacket(spec, 17, udp);
  const t = spec.ipVersion === 4 ? 20 : 40;
  let sum = spec.ipVersion === 4 ? sumWords(built.packet, 12, 20) : sumWords(built.packet, 8, 40);
  sum = sumWords(built.packet, t, built.length, sum + 17 + udp.length);
  built.packet.writeUInt16BE(finishChecksum(sum) || 0xffff, t + 6);
  return built;
}

function ipPacket(spec: PacketSpec, protocol: number, transport: Buffer) {
  const headerBytes = spec.ipVersion === 4 ? 20 : 40;
  const length = headerBytes + transport.length;
  const packet = Buffer.alloc(length + spareBytes);
  if (spec.ipVersion === 4) {
    packet[0] = 0x45;
    packet.writeUInt16BE(length, 2);
    packet.writeUInt16BE(0x4000, 6); // don't fragment
    packet[8] = 64;
    packet[9] = protocol;
    packet.writeUInt32BE(spec.source[0]! >>> 0, 12);
    packet.writeUInt32BE(spec.destination[0]! >>> 0, 16);
    fixIpv4HeaderChecksum(packet, 20);
  } else {
    packet[0] = 0x60;
    packet.writeUInt16BE(transport.length, 4);
    packet[6] = protocol;
    packet[7] = 64;
    for (let i = 0; i < 4; i++) {
      packet.writeUInt32BE(spec.source[i]! >>> 0, 8 + i * 4);
      packet.writeUInt32BE(spec.destination[i]! >>> 0, 24 + i * 4);
    }
  }
  transport.copy(packet, headerBytes);
  return { packet, length };
}

/** The collector's view of a raw IP packet, decoded by the collector's own IP decoder. */
export function collectorView(
  packet: Uint8Array,
  length: number,
  timeSeconds: number,
  capturedLength = length,
): TagPacketView {
  const decoded = new DecodedPacket();
  decoded.ipVersion = packet[0]! >>> 4;
  if (!decodeIp(packet, 0, capturedLength, length, decoded))
    throw new Error(`the collector skips this packet: ${decoded.skip}`);
  const d = decoded;
  return {
    data: packet,
    transportOffset: d.transportOffset,
    capturedEnd: capturedLength,
    tcpHeaderLength: d.protocol === 6 ? d.tcpHeaderLength : 0,
    payloadOffset: d.payloadOffset,
    payloadLength: d.payloadLength,
    timeSeconds,
    ipVersion: d.ipVersion,
    addressWords: Uint32Array.from([
      d.src0,
      d.src1,
      d.src2,
      d.src3,
      d.dst0,
      d.dst1,
      d.dst2,
      d.dst3,
    ]),
  };
}

/** True when the IPv4 header checksum and the TCP or UDP checksum of a packet are right. */
export function checksumsValid(packet: Uint8Array, length: number): boolean {
  const v4 = packet[0]! >>> 4 === 4;
  const t = v4 ? (packet[0]! & 0x0f) * 4 : 40;
  if (v4 && finishChecksum(sumWords(packet, 0, t)) !== 0) return false;
  const protocol = v4 ? packet[9]! : packet[6]!;
  const end = protocol === 17 ? t + ((packet[t + 4]! << 8) | packet[t + 5]!) : length;
  let sum = v4 ? sumWords(packet, 12, 20) : sumWords(packet, 8, 40);
  sum = sumWords(packet, t, end, sum + protocol + (end - t));
  return finishChecksum(sum) === 0;
}
