/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of
 * 16-bit big-endian words. Tagging grows IP packets and rewrites TCP headers, so the agent
 * recomputes the IPv4 header checksum and the TCP checksum of every packet it tags.
 */

/** Adds the bytes `from` to `to` to a running sum (an odd last byte is padded with zero). */
export function sumWords(data: Uint8Array, from: number, to: number, sum = 0): number {
  let i = from;
  for (; i + 1 < to; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (i < to) sum += data[i]! << 8;
  return sum;
}

/** Folds a running sum to 16 bits and complements it. */
export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** Recomputes the IPv4 header checksum in place. */
export function fixIpv4HeaderChecksum(packet: Uint8Array, headerBytes: number): void {
  packet[10] = packet[11] = 0;
  const checksum = finishChecksum(sumWords(packet, 0, headerBytes));
  packet[10] = checksum >>> 8;
  packet[11] = checksum & 0xff;
}

/**
 * Recomputes the TCP checksum of the segment at `transportOffset` (to the end of the IP
 * payload, `end`) in place, with the pseudo-header of `ipVersion`.
 */
export function fixTcpChecksum(
  packet: Uint8Array,
  ipVersion: number,
  transportOffset: number,
  end: number,
): void {
  const segmentBytes = end - transportOffset;
  // The pseudo-header: both addresses, the protocol and the segment length.
  let sum = ipVersion === 4 ? sumWords(packet, 12, 20) : sumWords(packet, 8, 40);
  sum += 6 + segmentBytes;
  packet[transportOffset + 16] = packet[transportOffset + 17] = 0;
  sum = sumWords(packet, transportOffset, end, sum);
  const checksum = finishChecksum(sum);
  packet[transportOffset + 16] = checksum >>> 8;
  packet[transportOffset + 17] = checksum & 0xff;
}
