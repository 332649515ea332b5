import { MacInput } from './tag-mac.js';
import { findTagOption } from './tcp-options.js';
import {
  experimentId,
  headerVersionOk,
  readU16,
  readU24,
  readU32,
  tcpOptionBytes,
  udpTrailerBytes,
} from './tag-format.js';

/** One packet as the network collector sees it (its TaggedPacketView has these fields). */
export interface TagPacketView {
  data: Uint8Array;
  /** Where the TCP or UDP header starts, and where the captured bytes end. */
  transportOffset: number;
  capturedEnd: number;
  /** TCP header length with options (0 for UDP). */
  tcpHeaderLength: number;
  /** Where the transport payload starts and its length on the wire, by the IP header. */
  payloadOffset: number;
  payloadLength: number;
  /** The packet's capture time, whole seconds since 1970. */
  timeSeconds: number;
  /**
   * IP version and the sender's then receiver's address, four 32-bit words each (IPv4: first
   * word of each). When a view leaves them out, they are read from the IP header that ends
   * where the transport header starts.
   */
  ipVersion?: number;
  addressWords?: Uint32Array;
}

/** What reading found: a tag to verify, none, one that cannot be one, or one not captured. */
export type ReadOutcome = 'tag' | 'untagged' | 'malformed' | 'cut_by_snap_length';

/** A tag as read from a packet, reused from packet to packet. */
export class TagReading {
  readonly input = new MacInput();
  /** Bits 63..32 and 31..8 of the SipHash output, as carried. */
  macHigh = 0;
  macLow24 = 0;
  /** Where addresses go when the view does not carry them. */
  readonly addresses = new Uint32Array(8);
}

/** Reads the tag of a SYN: the option, the acknowledgement and sequence numbers. */
export function readSynTag(view: TagPacketView, out: TagReading): ReadOutcome {
  const data = view.data;
  const t = view.transportOffset;
  const optionsEnd = t + view.tcpHeaderLength;
  if (optionsEnd > view.capturedEnd) return 'cut_by_snap_length';
  const at = findTagOption(data, t + 20, optionsEnd);
  if (at < 0) return 'untagged';
  if (data[at + 1] !== tcpOptionBytes) return 'malformed';
  if (!readBody(data, at + 4, out)) return 'malformed';
  const input = out.input;
  input.protocol = 6;
  input.sourcePort = readU16(data, t);
  input.destinationPort = readU16(data, t + 2);
  input.nonce = readU32(data, t + 4);
  out.macHigh = readU32(data, t + 8);
  return setAddresses(view, out) ? 'tag' : 'malformed';
}

/** Reads the trailer of a datagram: the bytes between the UDP length and the IP length. */
export function readUdpTag(view: TagPacketView, out: TagReading): ReadOutcome {
  const data = view.data;
  const t = view.transportOffset;
  if (t + 8 > view.capturedEnd) return 'cut_by_snap_length';
  const trailerAt = t + readU16(data, t + 4);
  const end = view.payloadOffset + view.payloadLength;
  if (end - trailerAt !== udpTrailerBytes) return 'untagged';
  if (end > view.capturedEnd) return 'cut_by_snap_length';
  if (readU16(data, trailerAt) !== experimentId) return 'untagged';
  if (!readBody(data, trailerAt + 2, out)) return 'malformed';
  const input = out.input;
  input.protocol = 17;
  input.sourcePort = readU16(data, t);
  input.destinationPort = readU16(data, t + 2);
  input.nonce = readU32(data, trailerAt + 14);
  out.macHigh = readU32(data, trailerAt + 18);
  return setAddresses(view, out) ? 'tag' : 'malformed';
}

function readBody(data: Uint8Array, at: number, out: TagReading): boolean {
  const header = data[at]!;
  const machineNumber = readU24(data, at + 4);
  if (!headerVersionOk(header) || machineNumber === 0) return false;
  const input = out.input;
  input.header = header;
  input.userNumber = readU24(data, at + 1);
  input.machineNumber = machineNumber;
  input.time16 = readU16(data, at + 7);
  out.macLow24 = readU24(data, at + 9);
  return true;
}

function setAddresses(view: TagPacketView, out: TagReading): boolean {
  const input = out.input;
  if (view.addressWords !== undefined && view.ipVersion !== undefined) {
    input.ipVersion = view.ipVersion;
    input.addressWords = view.addressWords;
    return true;
  }
  input.addressWords = out.addresses;
  const version = findIpHeader(view.data, view.transportOffset, input.protocol, out.addresses);
  input.ipVersion = version;
  return version !== 0;
}

/**
 * Finds the IP header that ends at `t` and carries `protocol`, and copies its addresses into
 * `words`; returns the IP version, or 0 when there is none there. An IPv6 header is 40 bytes;
 * an IPv4 header says its own length, 20 to 60 bytes.
 * Not yet: IPv6 extension headers before the transport header; such tags count as malformed.
 */
export function findIpHeader(data: Uint8Array, t: number, protocol: number, words: Uint32Array) {
  const v6 = t - 40;
  if (v6 >= 0 && data[v6]! >>> 4 === 6 && data[v6 + 6] === protocol) {
    for (let i = 0; i < 8; i++) words[i] = readU32(data, v6 + 8 + i * 4);
    return 6;
  }
  for (let words32 = 5; words32 <= 15; words32++) {
    const v4 = t - words32 * 4;
    if (v4 < 0) break;
    if (data[v4] === (0x40 | words32) && data[v4 + 9] === protocol) {
      words.fill(0);
      words[0] = readU32(data, v4 + 12);
      words[4] = readU32(data, v4 + 16);
      return 4;
    }
  }
  return 0;
}
