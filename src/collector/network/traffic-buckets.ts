import type { ColumnGroup } from './column-group.js';
import { PooledLists } from './pooled-lists.js';
import type { SlabPool } from './slab-pool.js';

const bucketStride = 5; // second, bytes each way, packets each way

/** One second with traffic: its epoch second, bytes and packets each way. */
export interface SecondCounts {
  second: number;
  origBytes: number;
  respBytes: number;
  origPackets: number;
  respPackets: number;
}

/**
 * Per-second byte and packet counts of each connection, each way. Only seconds with traffic
 * are stored, so memory grows with the packets, never with the time a capture spans.
 */
export class TrafficBuckets implements ColumnGroup {
  private readonly lists: PooledLists;

  constructor(pool: SlabPool, slots: number) {
    this.lists = new PooledLists(pool, bucketStride, 1, slots);
  }

  /** Adds a packet of `wireBytes` sent by side 0 (originator) or 1 in `second` from the base. */
  add(slot: number, side: number, second: number, wireBytes: number): void {
    const lists = this.lists;
    const count = lists.count[slot]!;
    let data = lists.pool.data;
    let first = lists.offset[slot]!;
    // Packets come almost always in time order: the last bucket or a new one at the end.
    let index = count - 1;
    while (index >= 0 && data[first + index * bucketStride]! > second) index--;
    if (index < 0 || data[first + index * bucketStride] !== second) {
      first = lists.room(slot);
      data = lists.pool.data;
      index++;
      const at = first + index * bucketStride;
      data.copyWithin(at + bucketStride, at, first + count * bucketStride);
      data.fill(0, at, at + bucketStride);
      data[at] = second;
      lists.count[slot] = count + 1;
    }
    const at = first + index * bucketStride;
    data[at + 1 + side]! += wireBytes;
    data[at + 3 + side]!++;
  }

  /** The seconds with traffic, ascending, as epoch seconds given the connection's base. */
  entries(slot: number, baseSeconds: number): SecondCounts[] {
    const { count, offset, pool } = this.lists;
    const entries = new Array<SecondCounts>(count[slot]!);
    const data = pool.data;
    for (let i = 0, at = offset[slot]!; i < entries.length; i++, at += bucketStride) {
      entries[i] = {
        second: data[at]! + baseSeconds,
        origBytes: data[at + 1]!,
        respBytes: data[at + 2]!,
        origPackets: data[at + 3]!,
        respPackets: data[at + 4]!,
      };
    }
    return entries;
  }

  grow(slots: number): void {
    this.lists.grow(slots);
  }

  clear(slot: number): void {
    this.lists.clear(slot);
  }
}
