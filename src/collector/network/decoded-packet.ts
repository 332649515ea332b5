import type { SkipReason } from './capture-packet.js';

export const ipProtocol = { tcp: 6, udp: 17, ipv4InIp: 4, ipv6InIp: 41 } as const;

/**
 * The fields of one TCP or UDP packet that flow tracking needs. One object is reused for every
 * packet; addresses are kept as 32-bit words (IPv4 in the first word, the rest zero) so that no
 * string or array is made per packet.
 */
export class DecodedPacket {
  ipVersion = 4;
  src0 = 0;
  src1 = 0;
  src2 = 0;
  src3 = 0;
  dst0 = 0;
  dst1 = 0;
  dst2 = 0;
  dst3 = 0;
  protocol = 0;
  srcPort = 0;
  dstPort = 0;
  /** TCP only: sequence and acknowledgement numbers, flag bits, advertised window (unscaled). */
  seq = 0;
  ack = 0;
  tcpFlags = 0;
  window = 0;
  /** Bytes of transport payload the packet carried on the wire (TCP: tshark's tcp.len). */
  payloadLength = 0;
  /** Where the captured part of the payload starts, and how much of it was captured. */
  payloadOffset = 0;
  payloadCaptured = 0;
  /** Where the TCP header starts (for its options), and its length in bytes. */
  transportOffset = 0;
  tcpHeaderLength = 0;
  /** The whole frame's length on the wire. */
  wireLength = 0;
  /** Set when decoding stops: why the packet is not analysed. */
  skip: SkipReason | undefined;
  /** How many IP headers were unwrapped to reach the transport (1 without a tunnel). */
  ipDepth = 0;
  /**
   * Set by flow tracking: nanoseconds from the connection's base second. Kept here so that it
   * reaches the analysis without being boxed as an argument on every call.
   */
  timeNanos = 0;
}

export const tcpFlag = {
  fin: 0x01,
  syn: 0x02,
  rst: 0x04,
  psh: 0x08,
  ack: 0x10,
} as const;
