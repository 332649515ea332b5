import { open } from 'node:fs/promises';
import { u32be } from './byte-order.js';
import type { PacketSink } from './capture-packet.js';
import { fileMagic, type CaptureFormatParser } from './capture-format.js';
import { PcapParser } from './pcap-parser.js';
import { PcapngParser } from './pcapng-parser.js';

/** Bytes read from the file at a time; the window grows only for a record larger than this. */
export const defaultChunkBytes = 4 * 1024 * 1024;

/** How reading a capture file ended. */
export interface CaptureReadSummary {
  /** The format found, e.g. "pcapng (little-endian)", or "unknown". */
  format: string;
  bytesRead: number;
  /** Why reading stopped before the end of the file, if it did. */
  stopMessage?: string;
}

/**
 * Streams a pcap or pcapng file through `sink`, one chunk in memory at a time, so files of any
 * size are read in bounded memory. Damaged input ends as a message and counted skips, not as a
 * thrown error; only a file that cannot be opened or read throws.
 */
export async function readCaptureFile(
  path: string,
  sink: PacketSink,
  options: { chunkBytes?: number } = {},
): Promise<CaptureReadSummary> {
  const file = await open(path, 'r');
  try {
    const source = async (into: Buffer, at: number, length: number, position: number) =>
      (await file.read(into, at, length, position)).bytesRead;
    return await readCapture(source, sink, options);
  } finally {
    await file.close();
  }
}

/** Reads a capture held in memory, with the same rules as a file. */
export function readCaptureBytes(
  bytes: Uint8Array,
  sink: PacketSink,
  options: { chunkBytes?: number } = {},
): Promise<CaptureReadSummary> {
  const source = async (into: Buffer, at: number, length: number, position: number) => {
    const part = bytes.subarray(position, position + length);
    into.set(part, at);
    return part.length;
  };
  return readCapture(source, sink, options);
}

type ByteSource = (into: Buffer, at: number, length: number, position: number) => Promise<number>;

async function readCapture(
  read: ByteSource,
  sink: PacketSink,
  options: { chunkBytes?: number },
): Promise<CaptureReadSummary> {
  let window = Buffer.allocUnsafe(options.chunkBytes ?? defaultChunkBytes);
  let windowFileOffset = 0;
  let start = 0;
  let end = await read(window, 0, window.length, 0);
  let atEndOfFile = end < window.length;

  const parser = end >= 4 ? parserFor(u32be(window, 0)) : undefined;
  if (!parser) {
    const message =
      end >= 4 ? 'it is not a pcap or pcapng file' : 'it is too short to be a capture';
    return { format: 'unknown', bytesRead: end, stopMessage: message };
  }

  for (;;) {
    start = parser.parse(window, start, end, sink);
    if (parser.stopMessage !== undefined) {
      const at = windowFileOffset + start;
      return {
        format: parser.format,
        bytesRead: at,
        stopMessage: `${parser.stopMessage} (at byte ${at})`,
      };
    }
    if (atEndOfFile) break;

    // Slide the unread tail to the front, grow the window if one record needs more, refill.
    window.copyWithin(0, start, end);
    windowFileOffset += start;
    end -= start;
    start = 0;
    if (parser.bytesWanted > window.length) {
      const larger = Buffer.allocUnsafe(Math.max(parser.bytesWanted, window.length * 2));
      window.copy(larger, 0, 0, end);
      window = larger;
    }
    const bytesRead = await read(window, end, window.length - end, windowFileOffset + end);
    end += bytesRead;
    atEndOfFile = bytesRead === 0;
  }

  const bytesRead = windowFileOffset + end;
  if (end > start) {
    sink.skip('truncated_file');
    const message = `the file ends inside a record (${end - start} bytes left over)`;
    return { format: parser.format, bytesRead, stopMessage: message };
  }
  return { format: parser.format, bytesRead };
}

function parserFor(magic: number): CaptureFormatParser | undefined {
  if (magic === fileMagic.pcapngSection) return new PcapngParser();
  const pcapMagics: number[] = [
    fileMagic.pcapMicro,
    fileMagic.pcapMicroSwapped,
    fileMagic.pcapNano,
    fileMagic.pcapNanoSwapped,
    fileMagic.pcapModified,
    fileMagic.pcapModifiedSwapped,
  ];
  return pcapMagics.includes(magic) ? new PcapParser(magic) : undefined;
}
