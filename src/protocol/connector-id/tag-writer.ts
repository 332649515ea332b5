import { randomFillSync } from 'node:crypto';
import { fixIpv4HeaderChecksum, fixTcpChecksum } from './internet-checksum.js';
import { IpPacketFields, readIpPacket, setIpLength, type UntaggableReason } from './ip-packet.js';
import { sipKeyFromBytes, type SipKey } from './siphash.js';
import { insertTagOption } from './tcp-options.js';
import { computeTagMac, MacInput } from './tag-mac.js';
import {
  checkTagFields,
  experimentId,
  readU16,
  readU32,
  tagHeader,
  udpTrailerBytes,
  writeTagBody,
  writeU32,
  type TagFields,
} from './tag-format.js';

/** What tagging one packet did: its new length, or why it passes unchanged. */
export type TagWriteResult =
  { status: 'tagged'; length: number } | { status: 'untaggable'; reason: UntaggableReason };

export interface TagWriterConfig {
  machineNumber: number;
  keyId: number;
  /** The machine's 16-byte tag key (see machine-keys.ts). */
  machineKey: Uint8Array;
  /** Leave the source address and port out of the MAC (the S flag); default false. */
  sourceUnbound?: boolean;
}

const tcpFlags = { syn: 0x02, rst: 0x04, ack: 0x10 } as const;
const nonceBatch = 256;

/**
 * Writes tags into raw IP packets in place: into a SYN's acknowledgement number and a TCP
 * option, or as a trailer after a UDP datagram. `packet` must have room for the packet to
 * grow by `udpTrailerBytes`; checksums are recomputed, so the packet leaves complete.
 */
export class TagWriter {
  private readonly key: SipKey;
  private readonly fields: TagFields;
  private readonly ip = new IpPacketFields();
  private readonly input = new MacInput();
  private readonly mac = new Uint32Array(2);
  private readonly nonces = new Uint32Array(nonceBatch);
  private noncesLeft = 0;

  constructor(config: TagWriterConfig) {
    this.fields = {
      keyId: config.keyId,
      sourceUnbound: config.sourceUnbound ?? false,
      userNumber: 0,
      machineNumber: config.machineNumber,
      timeSeconds: 0,
    };
    checkTagFields(this.fields);
    this.key = sipKeyFromBytes(config.machineKey);
  }

  /** Tags a TCP SYN (without ACK) sent by `userNumber` (0 when it has none) at `nowSeconds`. */
  tagTcpSyn(packet: Uint8Array, length: number, userNumber: number, nowSeconds: number) {
    const ip = this.ip;
    const problem = readIpPacket(packet, length, ip);
    if (problem) return untaggable(problem);
    const t = ip.transportOffset;
    if (ip.protocol !== 6 || length < t + 20) return untaggable('not_tcp_syn');
    const flags = packet[t + 13]!;
    if ((flags & (tcpFlags.syn | tcpFlags.ack | tcpFlags.rst)) !== tcpFlags.syn)
      return untaggable('not_tcp_syn');
    const inserted = insertTagOption(packet, length, t);
    if (typeof inserted === 'string') return untaggable(inserted);
    this.sign(packet, 6, readU32(packet, t + 4), userNumber, nowSeconds);
    writeTagBody(packet, inserted.optionAt + 4, this.fields, this.mac[1]! >>> 8);
    writeU32(packet, t + 8, this.mac[0]!);
    return this.finish(packet, length + inserted.grow, true);
  }

  /** Adds the trailer to a UDP datagram; `mtu` is the outgoing interface's, when known. */
  tagUdpDatagram(
    packet: Uint8Array,
    length: number,
    userNumber: number,
    nowSeconds: number,
    mtu = Infinity,
  ): TagWriteResult {
    const ip = this.ip;
    const problem = readIpPacket(packet, length, ip);
    if (problem) return untaggable(problem);
    const t = ip.transportOffset;
    if (ip.protocol !== 17 || length < t + 8) return untaggable('not_udp');
    // Bytes past the UDP length already: someone else's trailer, or ours.
    if (readU16(packet, t + 4) !== length - t) return untaggable('already_tagged');
    // A bigger packet than the link takes would be dropped or fragmented: send it untagged.
    if (length + udpTrailerBytes > mtu) return untaggable('over_mtu');
    if (length + udpTrailerBytes > packet.length) return untaggable('no_room');

    const nonce = this.nextNonce();
    this.sign(packet, 17, nonce, userNumber, nowSeconds);
    packet[length] = experimentId >>> 8;
    packet[length + 1] = experimentId & 0xff;
    writeTagBody(packet, length + 2, this.fields, this.mac[1]! >>> 8);
    writeU32(packet, length + 14, nonce);
    writeU32(packet, length + 18, this.mac[0]!);
    return this.finish(packet, length + udpTrailerBytes, false);
  }

  /** Computes the MAC of the packet just read, for `nonce`, into `this.mac`. */
  private sign(packet: Uint8Array, protocol: number, nonce: number, user: number, now: number) {
    const t = this.ip.transportOffset;
    const fields = this.fields;
    fields.userNumber = user;
    fields.timeSeconds = Math.floor(now) & 0xffff;
    checkTagFields(fields);
    const input = this.input;
    input.header = tagHeader(fields);
    input.userNumber = user;
    input.machineNumber = fields.machineNumber;
    input.time16 = fields.timeSeconds;
    input.protocol = protocol;
    input.ipVersion = this.ip.ipVersion;
    input.addressWords = this.ip.addressWords;
    input.sourcePort = readU16(packet, t);
    input.destinationPort = readU16(packet, t + 2);
    input.nonce = nonce;
    computeTagMac(this.key, input, this.mac);
  }

  private finish(packet: Uint8Array, length: number, tcp: boolean): TagWriteResult {
    const ip = this.ip;
    setIpLength(packet, ip.ipVersion, length);
    if (ip.ipVersion === 4) fixIpv4HeaderChecksum(packet, ip.transportOffset);
    // The UDP checksum covers only what the UDP length covers, so the trailer leaves it valid.
    if (tcp) fixTcpChecksum(packet, ip.ipVersion, ip.transportOffset, length);
    return { status: 'tagged', length };
  }

  private nextNonce(): number {
    if (this.noncesLeft === 0) {
      randomFillSync(this.nonces);
      this.noncesLeft = nonceBatch;
    }
    return this.nonces[--this.noncesLeft]!;
  }
}

function untaggable(reason: UntaggableReason): TagWriteResult {
  return { status: 'untaggable', reason };
}
