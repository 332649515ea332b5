import type { DecodedPacket } from './decoded-packet.js';

const keyWords = 10; // originator address (4), responder address (4), ports, protocol
const initialSlots = 1 << 12;
const maxLoadFactor = 0.5;

/**
 * Finds a connection by its 5-tuple in either direction without making a string or an object
 * per packet: open addressing over typed arrays, keys stored in the originator's orientation,
 * and a hash that is the same both ways.
 */
export class FlowTable {
  /** After `find`: whether the packet travels from the originator, and where its key lives. */
  forward = true;
  private slot = 0;
  private flowIds = new Int32Array(initialSlots).fill(-1);
  private keys = new Uint32Array(initialSlots * keyWords);
  private mask = initialSlots - 1;
  private used = 0;

  /** The id stored for the packet's connection, or -1 (then `add` may store one). */
  find(p: DecodedPacket): number {
    const keys = this.keys;
    const protocolWord = (p.protocol << 8) | p.ipVersion;
    let slot = hashOf(p) & this.mask;
    for (;;) {
      const id = this.flowIds[slot]!;
      if (id < 0) {
        this.slot = slot;
        return -1;
      }
      const k = slot * keyWords;
      if (keys[k + 9] === protocolWord) {
        if (matches(keys, k, p, true)) return this.found(slot, id, true);
        if (matches(keys, k, p, false)) return this.found(slot, id, false);
      }
      slot = (slot + 1) & this.mask;
    }
  }

  /** Stores `id` for the packet's connection, the packet's sender as originator. Call after a failed `find`. */
  add(p: DecodedPacket, id: number, senderIsOriginator: boolean): void {
    if (this.used + 1 > this.flowIds.length * maxLoadFactor) {
      this.grow();
      this.find(p);
    }
    this.used++;
    this.replace(p, id, senderIsOriginator);
  }

  /**
   * Stores `id` in the slot of the last `find`, the packet's sender as originator: for a new
   * connection on the addresses and ports of an old one.
   */
  replace(p: DecodedPacket, id: number, senderIsOriginator: boolean): void {
    const k = this.slot * keyWords;
    const keys = this.keys;
    const [a0, a1, a2, a3, b0, b1, b2, b3, aPort, bPort] = senderIsOriginator
      ? [p.src0, p.src1, p.src2, p.src3, p.dst0, p.dst1, p.dst2, p.dst3, p.srcPort, p.dstPort]
      : [p.dst0, p.dst1, p.dst2, p.dst3, p.src0, p.src1, p.src2, p.src3, p.dstPort, p.srcPort];
    keys[k] = a0;
    keys[k + 1] = a1;
    keys[k + 2] = a2;
    keys[k + 3] = a3;
    keys[k + 4] = b0;
    keys[k + 5] = b1;
    keys[k + 6] = b2;
    keys[k + 7] = b3;
    keys[k + 8] = ((aPort << 16) | bPort) >>> 0;
    keys[k + 9] = (p.protocol << 8) | p.ipVersion;
    this.flowIds[this.slot] = id;
    this.forward = senderIsOriginator;
  }

  private found(slot: number, id: number, forward: boolean): number {
    this.slot = slot;
    this.forward = forward;
    return id;
  }

  private grow(): void {
    const oldIds = this.flowIds;
    const oldKeys = this.keys;
    const size = oldIds.length * 2;
    this.flowIds = new Int32Array(size).fill(-1);
    this.keys = new Uint32Array(size * keyWords);
    this.mask = size - 1;
    for (let slot = 0; slot < oldIds.length; slot++) {
      if (oldIds[slot]! < 0) continue;
      const from = slot * keyWords;
      let to = hashOfKey(oldKeys, from) & this.mask;
      while (this.flowIds[to]! >= 0) to = (to + 1) & this.mask;
      this.flowIds[to] = oldIds[slot]!;
      this.keys.set(oldKeys.subarray(from, from + keyWords), to * keyWords);
    }
  }
}

function matches(keys: Uint32Array, k: number, p: DecodedPacket, forward: boolean): boolean {
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

// The same for both directions: the two endpoints' hashes are combined by addition.
function hashOf(p: DecodedPacket): number {
  const a = endpointHash(p.src0, p.src1, p.src2, p.src3, p.srcPort);
  const b = endpointHash(p.dst0, p.dst1, p.dst2, p.dst3, p.dstPort);
  return finish((a + b) ^ p.protocol);
}

function hashOfKey(keys: Uint32Array, k: number): number {
  const ports = keys[k + 8]!;
  const a = endpointHash(keys[k]!, keys[k + 1]!, keys[k + 2]!, keys[k + 3]!, ports >>> 16);
  const b = endpointHash(keys[k + 4]!, keys[k + 5]!, keys[k + 6]!, keys[k + 7]!, ports & 0xffff);
  return finish((a + b) ^ (keys[k + 9]! >>> 8));
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
  return h >>> 0;
}
