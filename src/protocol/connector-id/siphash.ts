/**
 * SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit pseudo-random function made for
 * short messages, used here as the MAC of Connector ID tags. Node's HMAC and AES-CMAC cost a
 * native call and an object per tag; this runs inside the JIT on 32-bit integers with no
 * allocation, which is what lets one core verify millions of tags a second.
 *
 * The message is given as 32-bit words, each standing for four little-endian bytes, so
 * `words` holds the byte string SipHash defines; a length that is not a multiple of 4 uses the
 * low bytes of the last word.
 */

/** A SipHash key as four 32-bit words: bytes 0-3, 4-7, 8-11 and 12-15, each little-endian. */
export type SipKey = Uint32Array;

/** Turns 16 key bytes into the word form `sipHash24` takes. */
export function sipKeyFromBytes(bytes: Uint8Array): SipKey {
  if (bytes.length !== 16) throw new RangeError('a SipHash key is 16 bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  const key = new Uint32Array(4);
  for (let i = 0; i < 4; i++) key[i] = view.getUint32(i * 4, true);
  return key;
}

/**
 * SipHash-2-4 of the first `byteLength` bytes held in `words`, under `key`. Writes the 64-bit
 * result to `out` as [high 32 bits, low 32 bits] (the value, not its little-endian bytes).
 */
export function sipHash24(key: SipKey, words: Uint32Array, byteLength: number, out: Uint32Array) {
  const k0l = key[0]! | 0;
  const k0h = key[1]! | 0;
  const k1l = key[2]! | 0;
  const k1h = key[3]! | 0;
  // The initial state is the key XOR the four constants of the specification.
  let v0l = k0l ^ 0x70736575;
  let v0h = k0h ^ 0x736f6d65;
  let v1l = k1l ^ 0x6e646f6d;
  let v1h = k1h ^ 0x646f7261;
  let v2l = k0l ^ 0x6e657261;
  let v2h = k0h ^ 0x6c796765;
  let v3l = k1l ^ 0x79746573;
  let v3h = k1h ^ 0x74656462;
  let t = 0;

  const fullBlocks = byteLength >> 3;
  const rest = byteLength & 7;
  // The last block holds the 0 to 7 bytes left and the message length in its top byte.
  for (let block = 0; block <= fullBlocks; block++) {
    let ml: number;
    let mh: number;
    if (block < fullBlocks) {
      ml = words[block * 2]! | 0;
      mh = words[block * 2 + 1]! | 0;
    } else {
      ml = rest === 0 ? 0 : words[block * 2]! & lowBytes(rest);
      mh = rest <= 4 ? 0 : words[block * 2 + 1]! & lowBytes(rest - 4);
      mh |= byteLength << 24;
    }
    v3l ^= ml;
    v3h ^= mh;
    // Rounds of compression (2 per block) and finalisation (4) share one body below. The carry
    // of each low-word addition is computed with bit operations: a comparison there would
    // turn the words into doubles and halve the speed.
    for (let round = 0, rounds = block < fullBlocks ? 2 : 6; round < rounds; round++) {
      if (round === 2) {
        v0l ^= ml;
        v0h ^= mh;
        v2l ^= 0xff;
      }
      // v0 += v1; v1 <<<= 13; v1 ^= v0; v0 <<<= 32
      t = (v0l + v1l) | 0;
      v0h = (v0h + v1h + (((v0l & v1l) | ((v0l | v1l) & ~t)) >>> 31)) | 0;
      v0l = t;
      t = (v1h << 13) | (v1l >>> 19);
      v1l = ((v1l << 13) | (v1h >>> 19)) ^ v0l;
      v1h = t ^ v0h;
      t = v0l;
      v0l = v0h;
      v0h = t;
      // v2 += v3; v3 <<<= 16; v3 ^= v2
      t = (v2l + v3l) | 0;
      v2h = (v2h + v3h + (((v2l & v3l) | ((v2l | v3l) & ~t)) >>> 31)) | 0;
      v2l = t;
      t = (v3h << 16) | (v3l >>> 16);
      v3l = ((v3l << 16) | (v3h >>> 16)) ^ v2l;
      v3h = t ^ v2h;
      // v0 += v3; v3 <<<= 21; v3 ^= v0
      t = (v0l + v3l) | 0;
      v0h = (v0h + v3h + (((v0l & v3l) | ((v0l | v3l) & ~t)) >>> 31)) | 0;
      v0l = t;
      t = (v3h << 21) | (v3l >>> 11);
      v3l = ((v3l << 21) | (v3h >>> 11)) ^ v0l;
      v3h = t ^ v0h;
      // v2 += v1; v1 <<<= 17; v1 ^= v2; v2 <<<= 32
      t = (v2l + v1l) | 0;
      v2h = (v2h + v1h + (((v2l & v1l) | ((v2l | v1l) & ~t)) >>> 31)) | 0;
      v2l = t;
      t = (v1h << 17) | (v1l >>> 15);
      v1l = ((v1l << 17) | (v1h >>> 15)) ^ v2l;
      v1h = t ^ v2h;
      t = v2l;
      v2l = v2h;
      v2h = t;
    }
    if (block < fullBlocks) {
      v0l ^= ml;
      v0h ^= mh;
    }
  }
  out[0] = v0h ^ v1h ^ v2h ^ v3h;
  out[1] = v0l ^ v1l ^ v2l ^ v3l;
}

/** A mask of the low `count` bytes of a word (1 to 4). */
function lowBytes(count: number): number {
  return count >= 4 ? -1 : (1 << (count * 8)) - 1;
}
