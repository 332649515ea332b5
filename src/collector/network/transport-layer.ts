import { u16be, u32be } from './byte-order.js';
import { ipProtocol, type DecodedPacket } from './decoded-packet.js';

/**
 * Decodes the TCP or UDP header at `at`. `out.payloadLength` holds the IP payload length on
 * entry and the transport payload length on return. Returns false with `out.skip` set when the
 * header is cut off or inconsistent.
 */
export function decodeTransport(data: Uint8Array, at: number, end: number, out: DecodedPacket) {
  const minimum = out.protocol === ipProtocol.tcp ? 20 : 8;
  if (end - at < minimum || out.payloadLength < minimum) {
    out.skip = 'truncated_transport_header';
    return false;
  }
  out.srcPort = u16be(data, at);
  out.dstPort = u16be(data, at + 2);
  out.transportOffset = at;

  let headerBytes = 8;
  if (out.protocol === ipProtocol.tcp) {
    headerBytes = (data[at + 12]! >> 4) * 4;
    // As tshark does, a header shorter than 20 bytes or longer than the segment is not analysed.
    if (headerBytes < 20 || headerBytes > out.payloadLength) {
      out.skip = 'bad_tcp_header_length';
      return false;
    }
    out.seq = u32be(data, at + 4);
    out.ack = u32be(data, at + 8);
    out.tcpFlags = u16be(data, at + 12) & 0x01ff;
    out.window = u16be(data, at + 14);
    out.tcpHeaderLength = headerBytes;
  }

  out.payloadLength -= headerBytes;
  out.payloadOffset = at + headerBytes;
  out.payloadCaptured = Math.max(0, Math.min(end - out.payloadOffset, out.payloadLength));
  return true;
}
