import type { DecodedPacket } from './decoded-packet.js';
import type { FlowStore } from './flow-store.js';

/** Numbers per key in the flow table: the two addresses (4 words each), ports, protocol. */
export const keyWords = 10;

/**
 * A hash of a packet's connection that is the same in both directions (the two endpoints'
 * hashes are combined by addition), so one lookup finds a connection whichever side sent.
 * Kept within 30 bits: small integers pass between functions without being boxed.
 */
export function packetHash(p: DecodedPacket): number {
  const a = endpointHash(p.src0, p.src1, p.src2, p.src3, p.srcPort);
  const b = endpointHash(p.dst0, p.dst1, p.dst2, p.dst3, p.dstPort);
  return finish((a + b) ^ p.protocol);
}

/** The same hash, of a key stored at `k` in the table's key words. */
export function storedKeyHash(keys: Uint32Array, k: number): number {
  const ports = keys[k + 8]!;
  const a = endpointHash(keys[k]!, keys[k + 1]!, keys[k + 2]!, keys[k + 3]!, ports >>> 16);
  const b = endpointHash(keys[k + 4]!, keys[k + 5]!, keys[k + 6]!, keys[k + 7]!, ports & 0xffff);
  return finish((a + b) ^ (keys[k + 9]! >>> 8));
}

/** The same hash, of the connection in a FlowStore slot. */
export function flowKeyHash(store: FlowStore, slot: number): number {
  const words = store.addresses;
  const w = slot * 8;
  const a = endpointHash(
    words[w]!,
    words[w + 1]!,
    words[w + 2]!,
    words[w + 3]!,
    store.origPort[slot]!,
  );
  const b = endpointHash(
    words[w + 4]!,
    words[w + 5]!,
    words[w + 6]!,
    words[w + 7]!,
    store.respPort[slot]!,
  );
  return finish((a + b) ^ store.protocol[slot]!);
}

/** Writes the packet's key at `k`, the sender as originator or not. */
export function writeKey(
  keys: Uint32Array,
  k: number,
  p: DecodedPacket,
  senderIsOriginator: boolean,
): void {
  const forward = senderIsOriginator;
  keys[k] = forward ? p.src0 : p.dst0;
  keys[k + 1] = forward ? p.src1 : p.dst1;
  keys[k + 2] = forward ? p.src2 : p.dst2;
  keys[k + 3] = forward ? p.src3 : p.dst3;
  keys[k + 4] = forward ? p.dst0 : p.src0;
  keys[k + 5] = forward ? p.dst1 : p.src1;
  keys[k + 6] = forward ? p.dst2 : p.src2;
  keys[k + 7] = forward ? p.dst3 : p.src3;
  keys[k + 8] = forward
    ? ((p.srcPort << 16) | p.dstPort) >>> 0
    : ((p.dstPort << 16) | p.srcPort) >>> 0;
  keys[k + 9] = (p.protocol << 8) | p.ipVersion;
}

/** Whether the key at `k` is the packet's connection, seen from its originator (`forward`). */
export function keyMatches(
  keys: Uint32Array,
  k: number,
  p: DecodedPacket,
  forward: boolean,
): boolean {
  if (forward) {
    return (
      keys[k] === p.src0 &&
      keys[k + 4] === p.dst0 &&
      keys[k + 8] === ((p.srcPort << 16) | p.dstPort) >>> 0 &&
      keys[k + 1] === p.src1 &&
      keys[k + 2] === p.src2 &&
      keys[k + 3] === p.src3 &&
      keys[k + 5] === p.dst1 &&
      keys[k + 6] === p.dst2 &&
      keys[k + 7] === p.dst3
    );
  }
  return (
    keys[k] === p.dst0 &&
    keys[k + 4] === p.src0 &&
    keys[k + 8] === ((p.dstPort << 16) | p.srcPort) >>> 0 &&
    keys[k + 1] === p.dst1 &&
    keys[k + 2] === p.dst2 &&
    keys[k + 3] === p.dst3 &&
    keys[k + 5] === p.src1 &&
    keys[k + 6] === p.src2 &&
    keys[k + 7] === p.src3
  );
}

function endpointHash(w0: number, w1: number, w2: number, w3: number, port: number): number {
  let h = Math.imul(w0 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ w1 ^ (h >>> 13), 0xc2b2ae35);
  h = Math.imul(h ^ w2 ^ (h >>> 16), 0x27d4eb2f);
  h = Math.imul(h ^ w3 ^ (h >>> 15), 0x165667b1);
  return Math.imul(h ^ port ^ (h >>> 13), 0x85ebca6b);
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h & 0x3fffffff;
}
