import type { FieldReader } from './byte-order.js';
import { TimestampUnits } from './timestamp-units.js';

/** What an Interface Description Block says about the packets that name it. */
export interface PcapngInterface {
  linkType: number;
  /** 0 means no limit. */
  snapLength: number;
  units: TimestampUnits;
}

const optionEnd = 0;
const optionTimestampResolution = 9;
const optionTimestampOffset = 14;
const defaultResolution = 6; // microseconds

/**
 * Reads an Interface Description Block whose body is data[bodyStart, bodyEnd). Options other
 * than the timestamp resolution and offset are skipped; an option whose length runs past the
 * block ends the option list instead of being trusted.
 */
export function readInterfaceBlock(
  data: Uint8Array,
  bodyStart: number,
  bodyEnd: number,
  fields: FieldReader,
): PcapngInterface {
  const linkType = fields.u16(data, bodyStart);
  const snapLength = fields.u32(data, bodyStart + 4);
  let resolution = defaultResolution;
  let offsetSeconds = 0;

  let at = bodyStart + 8;
  while (at + 4 <= bodyEnd) {
    const code = fields.u16(data, at);
    const length = fields.u16(data, at + 2);
    const valueAt = at + 4;
    if (code === optionEnd || valueAt + length > bodyEnd) break;
    if (code === optionTimestampResolution && length >= 1) resolution = data[valueAt]!;
    if (code === optionTimestampOffset && length >= 8) {
      offsetSeconds = readSigned64(data, valueAt, fields);
    }
    at = valueAt + ((length + 3) & ~3);
  }

  return { linkType, snapLength, units: new TimestampUnits(resolution, offsetSeconds) };
}

// The field is a signed 64-bit count of seconds; anything a double cannot hold exactly is
// nonsense for a capture, so plain arithmetic is enough.
function readSigned64(data: Uint8Array, at: number, fields: FieldReader): number {
  const first = fields.u32(data, at);
  const second = fields.u32(data, at + 4);
  const high = fields.bigEndian ? first : second;
  const low = fields.bigEndian ? second : first;
  const signedHigh = high >= 0x80000000 ? high - 0x100000000 : high;
  return signedHigh * 0x100000000 + low;
}
