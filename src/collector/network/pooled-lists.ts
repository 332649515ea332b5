import { grown, type ColumnGroup } from './column-group.js';
import { SlabPool } from './slab-pool.js';

/**
 * One list per connection (or per direction) of fixed-size entries of `stride` numbers, kept in
 * a shared SlabPool. A list holds no memory until its first entry and doubles as it fills.
 * Entry i of list `index` starts at `pool.data[offset[index] + i * stride]`.
 */
export class PooledLists implements ColumnGroup {
  /** Where each list's block starts in the pool, -1 when it has none. */
  offset: Int32Array;
  /** Entries in each list, and the words of its block. */
  count: Int32Array;
  private words: Int32Array;

  /** `listsPerSlot` is 1 for a list per connection, 2 for one per direction. */
  constructor(
    readonly pool: SlabPool,
    private readonly stride: number,
    private readonly listsPerSlot: number,
    slots: number,
  ) {
    this.offset = new Int32Array(slots * listsPerSlot).fill(-1);
    this.count = new Int32Array(slots * listsPerSlot);
    this.words = new Int32Array(slots * listsPerSlot);
  }

  /**
   * Makes room for one more entry in list `index` and returns its block's offset. The pool's
   * array may have been replaced: read `pool.data` after calling this.
   */
  room(index: number): number {
    const needed = (this.count[index]! + 1) * this.stride;
    const words = this.words[index]!;
    if (needed <= words) return this.offset[index]!;
    const newWords = SlabPool.blockWords(Math.max(needed, words * 2));
    const offset =
      words === 0
        ? this.pool.allocate(newWords)
        : this.pool.resize(this.offset[index]!, words, newWords, this.count[index]! * this.stride);
    this.offset[index] = offset;
    this.words[index] = newWords;
    return offset;
  }

  grow(slots: number): void {
    const length = slots * this.listsPerSlot;
    this.offset = grown(this.offset, length, -1);
    this.count = grown(this.count, length);
    this.words = grown(this.words, length);
  }

  clear(slot: number): void {
    for (let index = slot * this.listsPerSlot; index < (slot + 1) * this.listsPerSlot; index++) {
      if (this.words[index]! > 0) this.pool.release(this.offset[index]!, this.words[index]!);
      this.offset[index] = -1;
      this.count[index] = 0;
      this.words[index] = 0;
    }
  }
}
