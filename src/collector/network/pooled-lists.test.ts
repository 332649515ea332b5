import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PooledLists } from './pooled-lists.js';
import { SlabPool } from './slab-pool.js';

const stride = 3;

describe('pooled lists', () => {
  it('keep every list whole while others grow, shrink and give their blocks back', () => {
    const action = fc.record({
      list: fc.integer({ min: 0, max: 39 }),
      append: fc.integer({ min: 0, max: 40 }),
      clear: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(action, { maxLength: 400 }), (actions) => {
        const pool = new SlabPool();
        const lists = new PooledLists(pool, stride, 2, 10);
        lists.grow(20);
        const model: number[][] = Array.from({ length: 40 }, () => []);
        let next = 1;
        for (const { list, append, clear } of actions) {
          if (clear) {
            lists.clear(list >> 1);
            model[list & ~1] = [];
            model[list | 1] = [];
            continue;
          }
          for (let i = 0; i < append; i++, next++) {
            const at = lists.room(list) + lists.count[list]!++ * stride;
            pool.data.fill(next, at, at + stride);
            model[list]!.push(next);
          }
        }
        for (let list = 0; list < 40; list++) {
          const values = Array.from(
            { length: lists.count[list]! },
            (_, i) => pool.data[lists.offset[list]! + i * stride]!,
          );
          assert.deepEqual(values, model[list]);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('reuse the blocks of cleared lists instead of taking new memory', () => {
    const pool = new SlabPool();
    const lists = new PooledLists(pool, stride, 1, 4);
    for (let i = 0; i < 10; i++) (lists.room(0), lists.count[0]!++);
    const inUse = pool.wordsInUse;

    lists.clear(0);
    for (let i = 0; i < 10; i++) (lists.room(1), lists.count[1]!++);

    assert.equal(pool.wordsInUse, inUse);
  });
});
