import { crc32 } from 'node:zlib';

/**
 * How one queued record is laid out on disk:
 *
 *   magic (4) | payload length (u32 LE) | appended at, epoch ms (f64 LE) | crc32 (u32 LE) | payload
 *
 * The checksum covers the length, the time and the payload, so a torn or altered record never
 * passes for a good one. The magic starts with 0xF5, a byte that never occurs in UTF-8 text,
 * so after damage the next record can be found again by scanning for it.
 */
export const recordMagic = Buffer.from([0xf5, 0x53, 0x52, 0x51]);
export const recordHeaderBytes = 20;
/** Largest payload a record may hold: 16 MiB, twice the largest message intake accepts. */
export const maxPayloadBytes = 16 * 1024 * 1024;

/** First bytes of every segment file: name and version of the format. */
export const segmentHeader = Buffer.from('STRQSEG1');

export type DecodedRecord =
  | { kind: 'record'; payload: Buffer; appendedAtMillis: number; end: number }
  /** The buffer ends before the record does: read more, or it is a torn tail. */
  | { kind: 'incomplete'; needBytes: number }
  /** Not a record: wrong magic, impossible length, or a checksum that does not match. */
  | { kind: 'invalid' };

/** The header of one record, to be written just before its payload. */
export function encodeRecordHeader(payload: Buffer, appendedAtMillis: number): Buffer {
  if (payload.length > maxPayloadBytes) throw new Error('a queued record is over 16 MiB');
  const header = Buffer.allocUnsafe(recordHeaderBytes);
  recordMagic.copy(header, 0);
  header.writeUInt32LE(payload.length, 4);
  header.writeDoubleLE(appendedAtMillis, 8);
  header.writeUInt32LE(checksum(header, payload), 16);
  return header;
}

/** Decodes the record starting at `offset` of `buffer`, without copying its payload. */
export function decodeRecord(buffer: Buffer, offset: number): DecodedRecord {
  const available = buffer.length - offset;
  if (available < recordHeaderBytes) {
    return isMagicPrefix(buffer, offset)
      ? { kind: 'incomplete', needBytes: recordHeaderBytes }
      : { kind: 'invalid' };
  }
  if (buffer.compare(recordMagic, 0, 4, offset, offset + 4) !== 0) return { kind: 'invalid' };
  const length = buffer.readUInt32LE(offset + 4);
  if (length > maxPayloadBytes) return { kind: 'invalid' };
  if (available < recordHeaderBytes + length) {
    return { kind: 'incomplete', needBytes: recordHeaderBytes + length };
  }
  const header = buffer.subarray(offset, offset + recordHeaderBytes);
  const payload = buffer.subarray(offset + recordHeaderBytes, offset + recordHeaderBytes + length);
  if (header.readUInt32LE(16) !== checksum(header, payload)) return { kind: 'invalid' };
  return {
    kind: 'record',
    payload,
    appendedAtMillis: header.readDoubleLE(8),
    end: offset + recordHeaderBytes + length,
  };
}

/** Where the next record may start after damage at `from`: the next magic, or -1. */
export function findNextMagic(buffer: Buffer, from: number): number {
  return buffer.indexOf(recordMagic, from);
}

function checksum(header: Buffer, payload: Buffer): number {
  return crc32(payload, crc32(header.subarray(4, 16)));
}

// A header cut short by the end of the file still starts with (part of) the magic.
function isMagicPrefix(buffer: Buffer, offset: number): boolean {
  const tail = buffer.subarray(offset);
  return tail.length === 0 || recordMagic.subarray(0, tail.length).equals(tail);
}
