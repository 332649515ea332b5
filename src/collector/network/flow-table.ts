import type { DecodedPacket } from './decoded-packet.js';
import { keyMatches, keyWords, packetHash, storedKeyHash, writeKey } from './flow-key-hash.js';

const initialSlots = 1 << 12;
const maxLoadFactor = 0.5;

/**
 * Finds a connection by its 5-tuple in either direction without making a string or an object
 * per packet: open addressing with linear probing over typed arrays, keys stored in the
 * originator's orientation, and a hash that is the same both ways. Values are FlowStore slots.
 */
export class FlowTable {
  /** After `find`: whether the packet travels from the originator. */
  forward = true;
  /** Connections in the table. */
  size = 0;
  private slot = 0;
  private flowIds = new Int32Array(initialSlots).fill(-1);
  private keys = new Uint32Array(initialSlots * keyWords);
  private mask = initialSlots - 1;

  /** The flow stored for the packet's connection, or -1 (then `add` may store one). */
  find(p: DecodedPacket): number {
    const keys = this.keys;
    const protocolWord = (p.protocol << 8) | p.ipVersion;
    let slot = packetHash(p) & this.mask;
    for (;;) {
      const id = this.flowIds[slot]!;
      if (id < 0) {
        this.slot = slot;
        return -1;
      }
      const k = slot * keyWords;
      if (keys[k + 9] === protocolWord) {
        if (keyMatches(keys, k, p, true)) return this.found(slot, id, true);
        if (keyMatches(keys, k, p, false)) return this.found(slot, id, false);
      }
      slot = (slot + 1) & this.mask;
    }
  }

  /**
   * Stores `id` for the packet's connection, the packet's sender as originator or not. Call
   * after a failed `find`.
   */
  add(p: DecodedPacket, id: number, senderIsOriginator: boolean): void {
    if (this.size + 1 > this.flowIds.length * maxLoadFactor) {
      this.grow();
      this.find(p);
    }
    this.size++;
    this.replace(p, id, senderIsOriginator);
  }

  /**
   * Stores `id` in the place of the last `find`, the packet's sender as originator or not: for
   * a new connection on the addresses and ports of an old one.
   */
  replace(p: DecodedPacket, id: number, senderIsOriginator: boolean): void {
    writeKey(this.keys, this.slot * keyWords, p, senderIsOriginator);
    this.flowIds[this.slot] = id;
    this.forward = senderIsOriginator;
  }

  /** Removes flow `id`, whose key hashes to `hash` (`flowKeyHash`); false when it is not here. */
  remove(id: number, hash: number): boolean {
    let slot = hash & this.mask;
    for (;;) {
      const stored = this.flowIds[slot]!;
      if (stored < 0) return false;
      if (stored === id) break;
      slot = (slot + 1) & this.mask;
    }
    this.size--;
    this.closeGap(slot);
    return true;
  }

  // Backward-shift deletion: later entries of the same probe run move up, so that lookups need
  // no tombstones and the table never fills with dead entries.
  private closeGap(gap: number): void {
    const { flowIds, keys, mask } = this;
    flowIds[gap] = -1;
    for (let next = (gap + 1) & mask; flowIds[next]! >= 0; next = (next + 1) & mask) {
      const home = storedKeyHash(keys, next * keyWords) & mask;
      if (((next - home) & mask) < ((next - gap) & mask)) continue;
      flowIds[gap] = flowIds[next]!;
      keys.copyWithin(gap * keyWords, next * keyWords, next * keyWords + keyWords);
      flowIds[next] = -1;
      gap = next;
    }
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
      let to = storedKeyHash(oldKeys, from) & this.mask;
      while (this.flowIds[to]! >= 0) to = (to + 1) & this.mask;
      this.flowIds[to] = oldIds[slot]!;
      this.keys.set(oldKeys.subarray(from, from + keyWords), to * keyWords);
    }
  }
}
