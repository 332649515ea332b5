import { u16be, u32be } from './byte-order.js';
import { ipProtocol, type DecodedPacket } from './decoded-packet.js';
import { decodeTransport } from './transport-layer.js';

// IP in IP deeper than this is either an attack or a loop; either way it is not traffic to time.
const maxIpDepth = 4;
const maxIpv6ExtensionHeaders = 16;
const ipv6Extension = {
  hopByHop: 0,
  routing: 43,
  fragment: 44,
  authentication: 51,
  destinationOptions: 60,
  mobility: 135,
  hostIdentity: 139,
  shim6: 140,
} as const;

/**
 * Decodes the IP header at `at` (version already in `out.ipVersion`) and whatever it carries.
 * `wireBytes` is how many bytes of the frame, from `at`, were on the wire; the IP length field
 * is believed only up to that. Returns false with `out.skip` set when the packet is not used.
 */
export function decodeIp(
  data: Uint8Array,
  at: number,
  end: number,
  wireBytes: number,
  out: DecodedPacket,
) {
  for (let depth = 1; depth <= maxIpDepth; depth++) {
    out.ipDepth = depth;
    const inner =
      out.ipVersion === 4
        ? ipv4(data, at, end, wireBytes, out)
        : ipv6(data, at, end, wireBytes, out);
    if (inner < 0) return false;
    if (out.protocol === ipProtocol.tcp || out.protocol === ipProtocol.udp) {
      return decodeTransport(data, inner, end, out);
    }
    if (out.protocol !== ipProtocol.ipv4InIp && out.protocol !== ipProtocol.ipv6InIp) {
      out.skip = 'other_ip_protocol';
      return false;
    }
    // A tunnel: the inner packet is measured, addressed by its own header.
    out.ipVersion = out.protocol === ipProtocol.ipv4InIp ? 4 : 6;
    wireBytes = out.payloadLength;
    at = inner;
  }
  out.skip = 'tunnel_too_deep';
  return false;
}

/** Returns the offset of the IPv4 payload, with protocol, addresses and payload length set. */
function ipv4(
  data: Uint8Array,
  at: number,
  end: number,
  wireBytes: number,
  out: DecodedPacket,
): number {
  if (end - at < 20) return skip(out, 'truncated_ip_header');
  const headerBytes = (data[at]! & 0x0f) * 4;
  if (data[at]! >> 4 !== 4 || headerBytes < 20) return skip(out, 'bad_ip_header');
  if (end - at < headerBytes) return skip(out, 'truncated_ip_header');
  // Segmentation offload on the capturing host leaves a total length of 0: trust the frame.
  const totalLength = u16be(data, at + 2) || wireBytes;
  if (totalLength < headerBytes) return skip(out, 'bad_ip_header');
  const fragment = u16be(data, at + 6);
  // Not yet: reassembly of IP fragments; fragmented datagrams are counted, not measured.
  if ((fragment & 0x3fff) !== 0) return skip(out, 'ip_fragment');

  out.protocol = data[at + 9]!;
  out.src0 = u32be(data, at + 12);
  out.dst0 = u32be(data, at + 16);
  out.src1 = out.src2 = out.src3 = out.dst1 = out.dst2 = out.dst3 = 0;
  out.payloadLength = Math.min(totalLength, wireBytes) - headerBytes;
  return at + headerBytes;
}

/** Returns the offset of the IPv6 payload past any extension headers. */
function ipv6(
  data: Uint8Array,
  at: number,
  end: number,
  wireBytes: number,
  out: DecodedPacket,
): number {
  if (end - at < 40) return skip(out, 'truncated_ip_header');
  if (data[at]! >> 4 !== 6) return skip(out, 'bad_ip_header');
  out.src0 = u32be(data, at + 8);
  out.src1 = u32be(data, at + 12);
  out.src2 = u32be(data, at + 16);
  out.src3 = u32be(data, at + 20);
  out.dst0 = u32be(data, at + 24);
  out.dst1 = u32be(data, at + 28);
  out.dst2 = u32be(data, at + 32);
  out.dst3 = u32be(data, at + 36);
  // A payload length of 0 is a jumbogram (or offload): the frame says how long it is.
  const declared = u16be(data, at + 4) || wireBytes - 40;
  let remaining = Math.min(declared, wireBytes - 40);
  let next = data[at + 6]!;
  let header = at + 40;

  for (let count = 0; isExtension(next); count++) {
    if (count === maxIpv6ExtensionHeaders) return skip(out, 'bad_ip_header');
    if (end - header < 8) return skip(out, 'truncated_ip_header');
    if (next === ipv6Extension.fragment && (u16be(data, header + 2) & 0xfff9) !== 0) {
      return skip(out, 'ip_fragment');
    }
    const length =
      next === ipv6Extension.fragment
        ? 8
        : next === ipv6Extension.authentication
          ? (data[header + 1]! + 2) * 4
          : (data[header + 1]! + 1) * 8;
    next = data[header]!;
    header += length;
    remaining -= length;
  }
  if (remaining < 0) return skip(out, 'bad_ip_header');
  out.protocol = next;
  out.payloadLength = remaining;
  return header;
}

function isExtension(next: number): boolean {
  return (
    next === ipv6Extension.hopByHop ||
    next === ipv6Extension.routing ||
    next === ipv6Extension.fragment ||
    next === ipv6Extension.authentication ||
    next === ipv6Extension.destinationOptions ||
    next === ipv6Extension.mobility ||
    next === ipv6Extension.hostIdentity ||
    next === ipv6Extension.shim6
  );
}

function skip(out: DecodedPacket, reason: DecodedPacket['skip']): number {
  out.skip = reason;
  return -1;
}
