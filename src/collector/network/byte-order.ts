// Readers index the chunk directly instead of going through DataView or Buffer methods: at a
// million packets a second the bounds checks and calls of those show up in profiles. Every
// caller has checked that the bytes are there first.

/** Big-endian (network order) unsigned 16-bit value at `offset`. */
export function u16be(data: Uint8Array, offset: number): number {
  return (data[offset]! << 8) | data[offset + 1]!;
}

/** Big-endian unsigned 32-bit value at `offset`. */
export function u32be(data: Uint8Array, offset: number): number {
  return (
    ((data[offset]! << 24) |
      (data[offset + 1]! << 16) |
      (data[offset + 2]! << 8) |
      data[offset + 3]!) >>>
    0
  );
}

/** Little-endian unsigned 16-bit value at `offset`. */
export function u16le(data: Uint8Array, offset: number): number {
  return data[offset]! | (data[offset + 1]! << 8);
}

/** Little-endian unsigned 32-bit value at `offset`. */
export function u32le(data: Uint8Array, offset: number): number {
  return (
    (data[offset]! |
      (data[offset + 1]! << 8) |
      (data[offset + 2]! << 16) |
      (data[offset + 3]! << 24)) >>>
    0
  );
}

/** Reads 16 and 32-bit fields in the byte order a capture file was written in. */
export interface FieldReader {
  readonly bigEndian: boolean;
  u16(data: Uint8Array, offset: number): number;
  u32(data: Uint8Array, offset: number): number;
}

export const bigEndianFields: FieldReader = { bigEndian: true, u16: u16be, u32: u32be };
export const littleEndianFields: FieldReader = { bigEndian: false, u16: u16le, u32: u32le };
