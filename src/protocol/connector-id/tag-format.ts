/**
 * The Connector ID tag: who (a user number) on which machine (a machine number) opened a
 * connection, written by the agent into the connection's first packets and read by network
 * collectors. docs/architecture.md ("Connector ID") has the bit layout as a picture.
 *
 * The tag body is 12 bytes, the same for TCP and UDP:
 *   byte 0      header: version (3 bits, = 1), S (1 bit), key id (4 bits)
 *   bytes 1-3   user number, 24 bits (0: no user number known for the socket's owner)
 *   bytes 4-6   machine number, 24 bits (never 0)
 *   bytes 7-8   time: the sender's clock in whole seconds since 1970, modulo 65,536
 *   bytes 9-11  bits 31..8 of the 64-bit SipHash-2-4 output (see tag-mac.ts)
 * The MAC is the output's top 56 bits. Bits 63..32 and a 32-bit nonce travel beside the body:
 * in a SYN as its acknowledgement and sequence numbers, after a datagram in the trailer.
 */

/** TCP option kind for experiments that share the codepoint by ExID (RFC 6994). */
export const tcpOptionKind = 253;
/** Our 16-bit experiment identifier: "ST". Not yet registered with IANA (see the docs). */
export const experimentId = 0x5354;
/** Kind, length, ExID and the body: 16 bytes, a multiple of 4 so no padding is needed. */
export const tcpOptionBytes = 16;
/** The most option bytes a TCP header can hold (header length 60 minus the fixed 20). */
export const maxTcpOptionBytes = 40;
export const tagBodyBytes = 12;
/** ExID, body, nonce and the high MAC word: 22 bytes after the datagram's last byte. */
export const udpTrailerBytes = 22;
export const formatVersion = 1;
/** Largest user or machine number: 24 bits. */
export const maxNumber = 0xffffff;
/** The time field counts seconds modulo this: 65,536 s, about 18 hours. */
export const tagTimeModulus = 0x10000;

/** The fields of one tag (nonce and MAC aside). */
export interface TagFields {
  /** Which site secret the machine key comes from: 0 to 15, so keys can be rolled over. */
  keyId: number;
  /**
   * S flag: the MAC leaves out the source address and port, so the tag survives source NAT
   * between agent and collector, at the cost of binding the connection less tightly.
   */
  sourceUnbound: boolean;
  userNumber: number;
  machineNumber: number;
  /** Seconds since 1970; only the low 16 bits travel. */
  timeSeconds: number;
}

/** Writes the 12-byte body at `at`; `macLow24` is bits 31..8 of the SipHash output. */
export function writeTagBody(out: Uint8Array, at: number, tag: TagFields, macLow24: number) {
  out[at] = tagHeader(tag);
  writeU24(out, at + 1, tag.userNumber);
  writeU24(out, at + 4, tag.machineNumber);
  out[at + 7] = (tag.timeSeconds >>> 8) & 0xff;
  out[at + 8] = tag.timeSeconds & 0xff;
  writeU24(out, at + 9, macLow24);
}

/** The header byte of a tag: version, S flag and key id. */
export function tagHeader(tag: Pick<TagFields, 'keyId' | 'sourceUnbound'>): number {
  return (formatVersion << 5) | (tag.sourceUnbound ? 0x10 : 0) | (tag.keyId & 0x0f);
}

/** True when a header byte is of the version this code reads. */
export function headerVersionOk(header: number): boolean {
  return header >>> 5 === formatVersion;
}

/** True when the header's S flag is set: the source address and port are not covered. */
export function headerSourceUnbound(header: number): boolean {
  return (header & 0x10) !== 0;
}

export function readU16(data: Uint8Array, at: number): number {
  return (data[at]! << 8) | data[at + 1]!;
}

export function readU32(data: Uint8Array, at: number): number {
  return ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
}

export function writeU32(out: Uint8Array, at: number, value: number) {
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
}

export function readU24(data: Uint8Array, at: number): number {
  return (data[at]! << 16) | (data[at + 1]! << 8) | data[at + 2]!;
}

function writeU24(out: Uint8Array, at: number, value: number) {
  out[at] = (value >>> 16) & 0xff;
  out[at + 1] = (value >>> 8) & 0xff;
  out[at + 2] = value & 0xff;
}

/** Throws for fields no tag can carry: a bug or bad configuration in the caller. */
export function checkTagFields(tag: TagFields): void {
  if (!Number.isInteger(tag.keyId) || tag.keyId < 0 || tag.keyId > 15)
    throw new RangeError(`key id ${tag.keyId} is not 0 to 15`);
  if (!Number.isInteger(tag.userNumber) || tag.userNumber < 0 || tag.userNumber > maxNumber)
    throw new RangeError(`user number ${tag.userNumber} does not fit 24 bits`);
  if (
    !Number.isInteger(tag.machineNumber) ||
    tag.machineNumber < 1 ||
    tag.machineNumber > maxNumber
  )
    throw new RangeError(`machine number ${tag.machineNumber} is not 1 to 16,777,215`);
}
