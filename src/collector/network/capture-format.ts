import type { PacketSink } from './capture-packet.js';

/** The largest packet a record may claim, as libpcap and Wireshark allow by default. */
export const maxPacketBytes = 262_144;

/**
 * A parser for one capture format, fed from a window over the file that a driver slides
 * forward. Parsers keep no reference to a window after `parse` returns.
 */
export interface CaptureFormatParser {
  readonly format: string;
  /**
   * Parses the whole records in data[start, end), sends their packets to the sink, and returns
   * the offset just past the last record consumed. When it returns before `end` it has either
   * set `bytesWanted` (the size of the record it is waiting for, from the returned offset) or
   * `stopMessage` (the rest of the file cannot be read).
   */
  parse(data: Uint8Array, start: number, end: number, sink: PacketSink): number;
  bytesWanted: number;
  stopMessage: string | undefined;
}

/** Magic numbers at the start of the file, read big-endian. */
export const fileMagic = {
  pcapMicro: 0xa1b2c3d4,
  pcapMicroSwapped: 0xd4c3b2a1,
  pcapNano: 0xa1b23c4d,
  pcapNanoSwapped: 0x4d3cb2a1,
  pcapModified: 0xa1b2cd34,
  pcapModifiedSwapped: 0x34cdb2a1,
  pcapngSection: 0x0a0d0d0a,
} as const;
