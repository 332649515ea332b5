const smallestBlockWords = 8;
const initialWords = 1 << 16;

/**
 * Memory for the variable-length lists of connections (unacknowledged segments, seconds with
 * traffic, request and answer times): blocks of one growable Float64Array, sized in powers of
 * two and recycled through a free list per size. Lists cost no garbage-collected objects, and
 * the blocks of a connection that ends serve the next ones. Offsets stay valid when the array
 * grows, but `data` must be read again after `allocate` or `resize`.
 */
export class SlabPool {
  data = new Float64Array(initialWords);
  private top = 0;
  private readonly freeBySize: number[][] = [];

  /** The size of the block that holds `words` words: a power of two, at least 8. */
  static blockWords(words: number): number {
    return words <= smallestBlockWords ? smallestBlockWords : 2 ** Math.ceil(Math.log2(words));
  }

  /** Words handed out and not given back, for memory figures. */
  get wordsInUse(): number {
    let free = 0;
    for (let size = 0; size < this.freeBySize.length; size++) {
      free += (this.freeBySize[size]?.length ?? 0) * (smallestBlockWords << size);
    }
    return this.top - free;
  }

  /** A block of `words` words (a size from `blockWords`); its contents are undefined. */
  allocate(words: number): number {
    const free = this.freeBySize[sizeIndex(words)];
    if (free !== undefined && free.length > 0) return free.pop()!;
    if (this.top + words > this.data.length) {
      const next = new Float64Array(Math.max(this.data.length * 2, this.top + words));
      next.set(this.data.subarray(0, this.top));
      this.data = next;
    }
    const offset = this.top;
    this.top += words;
    return offset;
  }

  /** Gives back the block at `offset` of `words` words. */
  release(offset: number, words: number): void {
    (this.freeBySize[sizeIndex(words)] ??= []).push(offset);
  }

  /** Moves a block into one of `newWords`, keeping its first `keptWords`; returns the offset. */
  resize(offset: number, words: number, newWords: number, keptWords: number): number {
    const next = this.allocate(newWords);
    this.data.copyWithin(next, offset, offset + keptWords);
    this.release(offset, words);
    return next;
  }
}

function sizeIndex(words: number): number {
  return 31 - Math.clz32(words / smallestBlockWords);
}
