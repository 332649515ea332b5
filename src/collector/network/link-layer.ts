import { u16be, u32le } from './byte-order.js';
import { LinkType } from './capture-packet.js';
import type { DecodedPacket } from './decoded-packet.js';

const etherType = {
  ipv4: 0x0800,
  ipv6: 0x86dd,
  vlan: 0x8100,
  qinq: 0x88a8,
  qinqOld: 0x9100,
  pppoeSession: 0x8864,
  mpls: 0x8847,
  mplsMulticast: 0x8848,
} as const;
const maxStackedTags = 8;
// Address families in BSD loopback headers: Linux, then the BSDs and macOS, for IPv6.
const familyInet = 2;
const familiesInet6 = new Set([10, 24, 28, 30]);

/**
 * Finds the IP header inside a frame of the given link type. Returns its offset and sets
 * `out.ipVersion` (4 or 6), or returns -1 with `out.skip` set.
 */
export function findNetworkLayer(
  data: Uint8Array,
  at: number,
  end: number,
  linkType: number,
  out: DecodedPacket,
): number {
  switch (linkType) {
    case LinkType.ethernet:
      return ethernet(data, at, end, out);
    case LinkType.linuxSll:
      return end - at < 16 ? truncated(out) : byEtherType(u16be(data, at + 14), at + 16, out);
    case LinkType.linuxSll2:
      return end - at < 20 ? truncated(out) : byEtherType(u16be(data, at), at + 20, out);
    case LinkType.raw:
    case LinkType.rawOpenBsd:
    case LinkType.rawBsdOs:
      return end - at < 1 ? truncated(out) : byVersionNibble(data, at, out);
    case LinkType.ipv4:
      return version(4, at, out);
    case LinkType.ipv6:
      return version(6, at, out);
    case LinkType.null:
    case LinkType.loop:
      return loopback(data, at, end, linkType === LinkType.loop, out);
    case LinkType.ppp:
    case LinkType.pppHdlc:
      return ppp(data, at, end, out);
    default:
      out.skip = 'unknown_link_type';
      return -1;
  }
}

function ethernet(data: Uint8Array, at: number, end: number, out: DecodedPacket): number {
  if (end - at < 14) return truncated(out);
  let type = u16be(data, at + 12);
  let next = at + 14;
  for (let tags = 0; isTag(type); tags++) {
    if (tags === maxStackedTags || end - next < 4) return truncated(out);
    type = u16be(data, next + 2);
    next += 4;
  }
  if (type === etherType.pppoeSession)
    return end - next < 8 ? truncated(out) : pppProtocol(data, next + 6, out);
  if (type === etherType.mpls || type === etherType.mplsMulticast)
    return mpls(data, next, end, out);
  return byEtherType(type, next, out);
}

function isTag(type: number): boolean {
  return type === etherType.vlan || type === etherType.qinq || type === etherType.qinqOld;
}

function mpls(data: Uint8Array, at: number, end: number, out: DecodedPacket): number {
  let next = at;
  for (let labels = 0; labels < maxStackedTags; labels++) {
    if (end - next < 4) return truncated(out);
    const bottomOfStack = (data[next + 2]! & 0x01) !== 0;
    next += 4;
    // MPLS does not say what it carries; the IP version nibble does.
    if (bottomOfStack) return end - next < 1 ? truncated(out) : byVersionNibble(data, next, out);
  }
  return truncated(out);
}

function byEtherType(type: number, next: number, out: DecodedPacket): number {
  if (type === etherType.ipv4) return version(4, next, out);
  if (type === etherType.ipv6) return version(6, next, out);
  out.skip = 'not_ip';
  return -1;
}

function loopback(
  data: Uint8Array,
  at: number,
  end: number,
  networkOrder: boolean,
  out: DecodedPacket,
) {
  if (end - at < 4) return truncated(out);
  // DLT_NULL stores the family in the byte order of the capturing machine, which the file does
  // not say; a value above 16 bits means it was the other order.
  let family = u32le(data, at);
  if (networkOrder || family > 0xffff) family = ((data[at + 2]! << 8) | data[at + 3]!) >>> 0;
  if (family === familyInet) return version(4, at + 4, out);
  if (familiesInet6.has(family)) return version(6, at + 4, out);
  out.skip = 'not_ip';
  return -1;
}

function ppp(data: Uint8Array, at: number, end: number, out: DecodedPacket): number {
  let next = at;
  if (end - next >= 2 && data[next] === 0xff && data[next + 1] === 0x03) next += 2;
  if (end - next < 2) return truncated(out);
  // With protocol-field compression the protocol is one (odd) byte.
  if ((data[next]! & 0x01) === 1) return pppValue(data[next]!, next + 1, out);
  return pppProtocol(data, next, out);
}

function pppProtocol(data: Uint8Array, at: number, out: DecodedPacket): number {
  return pppValue(u16be(data, at), at + 2, out);
}

function pppValue(protocol: number, next: number, out: DecodedPacket): number {
  if (protocol === 0x21) return version(4, next, out);
  if (protocol === 0x57) return version(6, next, out);
  out.skip = 'not_ip';
  return -1;
}

function byVersionNibble(data: Uint8Array, at: number, out: DecodedPacket): number {
  const nibble = data[at]! >> 4;
  if (nibble === 4 || nibble === 6) return version(nibble, at, out);
  out.skip = 'not_ip';
  return -1;
}

function version(ipVersion: number, at: number, out: DecodedPacket): number {
  out.ipVersion = ipVersion;
  return at;
}

function truncated(out: DecodedPacket): number {
  out.skip = 'truncated_link_header';
  return -1;
}
