import { readU32 } from './tag-format.js';

/**
 * Reads the IP header of a raw packet as a netfilter queue hands it over (the IP header
 * first, no link layer), for the agent's tag writers. One object is reused per packet.
 */
export class IpPacketFields {
  ipVersion = 4;
  /** Where the TCP or UDP header starts: the IP header's length. */
  transportOffset = 0;
  /** The IP packet's length by its own header: total length (IPv4), 40 + payload (IPv6). */
  ipLength = 0;
  protocol = 0;
  /** Source then destination address, four 32-bit words each (IPv4: first word of each). */
  readonly addressWords = new Uint32Array(8);
}

/** Why a packet cannot be tagged, as counted by the agent. */
export type UntaggableReason =
  | 'not_ip'
  | 'truncated'
  | 'ip_fragment'
  | 'ipv6_extension_headers'
  | 'not_tcp_syn'
  | 'not_udp'
  | 'no_option_space'
  | 'over_mtu'
  | 'no_room'
  | 'already_tagged'
  | 'bad_tcp_options';

const ipProtocol = { tcp: 6, udp: 17 } as const;

/** Fills `out` from `packet`; returns a reason when the packet is not one the agent tags. */
export function readIpPacket(
  packet: Uint8Array,
  length: number,
  out: IpPacketFields,
): UntaggableReason | undefined {
  if (length < 20) return 'truncated';
  const version = packet[0]! >>> 4;
  const words = out.addressWords;
  if (version === 4) {
    const headerBytes = (packet[0]! & 0x0f) * 4;
    if (headerBytes < 20 || length < headerBytes) return 'truncated';
    out.ipLength = (packet[2]! << 8) | packet[3]!;
    // A fragment's transport header may be elsewhere, and a later fragment has none.
    if ((((packet[6]! << 8) | packet[7]!) & 0x3fff) !== 0) return 'ip_fragment';
    out.protocol = packet[9]!;
    words.fill(0);
    words[0] = readU32(packet, 12);
    words[4] = readU32(packet, 16);
    out.transportOffset = headerBytes;
  } else if (version === 6) {
    if (length < 40) return 'truncated';
    out.ipLength = 40 + ((packet[4]! << 8) | packet[5]!);
    out.protocol = packet[6]!;
    // Not yet: IPv6 extension headers; such packets pass untagged and are counted.
    if (out.protocol !== ipProtocol.tcp && out.protocol !== ipProtocol.udp)
      return 'ipv6_extension_headers';
    for (let i = 0; i < 8; i++) words[i] = readU32(packet, 8 + i * 4);
    out.transportOffset = 40;
  } else {
    return 'not_ip';
  }
  out.ipVersion = version;
  if (out.ipLength !== length) return 'truncated';
  return undefined;
}

/** Writes the IP packet's new length into its header (total length, or payload length). */
export function setIpLength(packet: Uint8Array, ipVersion: number, ipLength: number): void {
  const field = ipVersion === 4 ? ipLength : ipLength - 40;
  const at = ipVersion === 4 ? 2 : 4;
  packet[at] = field >>> 8;
  packet[at + 1] = field & 0xff;
}
