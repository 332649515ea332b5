// Made-up IPv4 conversations for the network tests, fed to the collector as raw-IP packet
// records with times chosen by the test (no capture file needed).
import type { ConnectionReport } from '../../src/collector/network/analysis-report.js';
import { LinkType, type PacketRecord } from '../../src/collector/network/capture-packet.js';
import type { PacketSink } from '../../src/collector/network/capture-packet.js';
import type { EndReason } from '../../src/collector/network/connection-ends.js';
import { connectionReport } from '../../src/collector/network/connection-report.js';
import { FlowTracker } from '../../src/collector/network/flow-tracker.js';
import type { IdleTimeouts } from '../../src/collector/network/idle-timeouts.js';

export const tcpFlags = { fin: 0x01, syn: 0x02, rst: 0x04, psh: 0x08, ack: 0x10 } as const;

export interface Endpoints {
  client: string;
  server: string;
  clientPort: number;
  serverPort: number;
}

/** An IPv4 packet carrying a TCP segment (`tcp`) or a UDP datagram, and when it was seen. */
export interface RawPacket {
  atSeconds: number;
  fromClient: boolean;
  tcp?: { flags: number; seq: number; ack: number };
  payloadBytes: number;
}

/** Hands the packets to a sink as a capture reader would. */
export function feed(sink: PacketSink, endpoints: Endpoints, packets: RawPacket[]): void {
  for (const packet of packets) sink.packet(record(endpoints, packet));
}

/** The packet record of one raw packet. */
export function record(endpoints: Endpoints, packet: RawPacket): PacketRecord {
  const bytes = ipv4(endpoints, packet);
  const seconds = Math.floor(packet.atSeconds);
  return {
    data: bytes,
    offset: 0,
    capturedLength: bytes.length,
    wireLength: bytes.length,
    timeSeconds: seconds,
    timeNanos: Math.round((packet.atSeconds - seconds) * 1e9),
    linkType: LinkType.raw,
    interfaceIndex: 0,
  };
}

/** A whole TCP connection: handshake, one request and answer, close from both sides. */
export function tcpConversation(startSeconds: number, stepSeconds = 0.001): RawPacket[] {
  const { syn, ack, fin, psh } = tcpFlags;
  const steps: [boolean, number, number, number, number][] = [
    [true, syn, 100, 0, 0],
    [false, syn | ack, 500, 101, 0],
    [true, ack, 101, 501, 0],
    [true, psh | ack, 101, 501, 20],
    [false, psh | ack, 501, 121, 40],
    [true, fin | ack, 121, 541, 0],
    [false, fin | ack, 541, 122, 0],
    [true, ack, 122, 542, 0],
  ];
  return steps.map(([fromClient, flags, seq, ackNumber, payloadBytes], i) => ({
    atSeconds: startSeconds + i * stepSeconds,
    fromClient,
    tcp: { flags, seq, ack: ackNumber },
    payloadBytes,
  }));
}

/** A tracker that hands connections on, and the reports of those it has handed on so far. */
export function handingOn(idleTimeouts: Partial<IdleTimeouts> = {}) {
  const ended: (ConnectionReport & { reason: EndReason })[] = [];
  const tracker = new FlowTracker({
    idleTimeouts,
    onConnectionEnd: (store, slot, reason) =>
      ended.push({ ...connectionReport(store, slot), reason }),
  });
  return { tracker, ended };
}

/** A UDP datagram of 30 bytes. */
export function datagram(atSeconds: number, fromClient = true): RawPacket {
  return { atSeconds, fromClient, payloadBytes: 30 };
}

/** A TCP segment without payload. */
export function segment(
  atSeconds: number,
  fromClient: boolean,
  flags: number,
  seq: number,
  ack = 0,
): RawPacket {
  return { atSeconds, fromClient, tcp: { flags, seq, ack }, payloadBytes: 0 };
}

function ipv4(endpoints: Endpoints, packet: RawPacket): Uint8Array {
  const transportBytes = (packet.tcp ? 20 : 8) + packet.payloadBytes;
  const bytes = Buffer.alloc(20 + transportBytes);
  const [source, destination] = packet.fromClient
    ? [endpoints.client, endpoints.server]
    : [endpoints.server, endpoints.client];
  const [sourcePort, destinationPort] = packet.fromClient
    ? [endpoints.clientPort, endpoints.serverPort]
    : [endpoints.serverPort, endpoints.clientPort];
  bytes[0] = 0x45;
  bytes.writeUInt16BE(bytes.length, 2);
  bytes[8] = 64;
  bytes[9] = packet.tcp ? 6 : 17;
  Buffer.from(source.split('.').map(Number)).copy(bytes, 12);
  Buffer.from(destination.split('.').map(Number)).copy(bytes, 16);
  bytes.writeUInt16BE(sourcePort, 20);
  bytes.writeUInt16BE(destinationPort, 22);
  if (packet.tcp) {
    bytes.writeUInt32BE(packet.tcp.seq >>> 0, 24);
    bytes.writeUInt32BE(packet.tcp.ack >>> 0, 28);
    bytes[32] = 5 << 4;
    bytes[33] = packet.tcp.flags;
    bytes.writeUInt16BE(64_240, 34);
  } else {
    bytes.writeUInt16BE(transportBytes, 24);
  }
  return bytes;
}
