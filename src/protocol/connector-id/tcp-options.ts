import type { UntaggableReason } from './ip-packet.js';
import { experimentId, maxTcpOptionBytes, tcpOptionBytes, tcpOptionKind } from './tag-format.js';

/** TCP option kinds that are one byte long (RFC 9293): End of Option List and No-Operation. */
const optionKind = { end: 0, noOperation: 1 } as const;

/**
 * Where the options in use end, between `from` and `to` (the header's options area): the
 * offset just past the last option before End of Option List or the end of the area. -1 when
 * an option's length is impossible, so the header is not one to touch.
 */
export function tcpOptionEnd(data: Uint8Array, from: number, to: number): number {
  let at = from;
  while (at < to) {
    const kind = data[at]!;
    if (kind === optionKind.end) return at;
    if (kind === optionKind.noOperation) {
      at++;
      continue;
    }
    if (at + 1 >= to) return -1;
    const length = data[at + 1]!;
    if (length < 2 || at + length > to) return -1;
    at += length;
  }
  return at;
}

/**
 * The offset of a Connector ID option (kind 253 with our ExID) between `from` and `to`, or
 * -1 when there is none. Options of other experiments sharing kind 253 are passed over, as
 * RFC 6994 asks. The caller checks the option's length.
 */
export function findTagOption(data: Uint8Array, from: number, to: number): number {
  let at = from;
  while (at < to) {
    const kind = data[at]!;
    if (kind === optionKind.end) return -1;
    if (kind === optionKind.noOperation) {
      at++;
      continue;
    }
    if (at + 1 >= to) return -1;
    const length = data[at + 1]!;
    if (length < 2 || at + length > to) return -1;
    if (
      kind === tcpOptionKind &&
      length >= 4 &&
      data[at + 2] === experimentId >>> 8 &&
      data[at + 3] === (experimentId & 0xff)
    ) {
      return at;
    }
    at += length;
  }
  return -1;
}

/**
 * Puts an empty Connector ID option (kind, length, ExID; the body is the caller's) into the
 * TCP header at `t`, after the last option in use; the rest up to a multiple of 4 bytes is End
 * of Option List. A header that had room already keeps its length; otherwise the header and
 * the packet grow, and any data (a Fast Open SYN's) moves back unchanged. Returns where the
 * option starts and how much the packet grew, or why nothing was changed.
 */
export function insertTagOption(
  packet: Uint8Array,
  length: number,
  t: number,
): { optionAt: number; grow: number } | UntaggableReason {
  const headerBytes = (packet[t + 12]! >>> 4) * 4;
  if (headerBytes < 20 || t + headerBytes > length) return 'truncated';
  const optionsAt = t + 20;
  const used = tcpOptionEnd(packet, optionsAt, t + headerBytes);
  if (used < 0) return 'bad_tcp_options';
  if (findTagOption(packet, optionsAt, used) >= 0) return 'already_tagged';
  const optionBytes = Math.max(headerBytes - 20, ceil4(used - optionsAt + tcpOptionBytes));
  if (optionBytes > maxTcpOptionBytes) return 'no_option_space';
  const grow = 20 + optionBytes - headerBytes;
  if (length + grow > packet.length) return 'no_room';

  packet.copyWithin(optionsAt + optionBytes, t + headerBytes, length);
  packet.fill(0, used, optionsAt + optionBytes);
  packet[used] = tcpOptionKind;
  packet[used + 1] = tcpOptionBytes;
  packet[used + 2] = experimentId >>> 8;
  packet[used + 3] = experimentId & 0xff;
  packet[t + 12] = (((20 + optionBytes) / 4) << 4) | (packet[t + 12]! & 0x0f);
  return { optionAt: used, grow };
}

function ceil4(bytes: number): number {
  return (bytes + 3) & ~3;
}
