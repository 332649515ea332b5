import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DiskQueue } from './disk-queue.js';
import { recordHeaderBytes, segmentHeader } from './record-format.js';
import { listSegments, segmentName } from './segment-files.js';

// Small segments, so a few records spread over several files.
const segmentMaxBytes = 1_024;

const payloadOf = (index: number) => Buffer.from(JSON.stringify({ index, pad: 'x'.repeat(150) }));
const indexOf = (payload: Buffer) =>
  (JSON.parse(payload.toString('utf8')) as { index: number }).index;

async function appendAll(queue: DiskQueue, from: number, count: number) {
  await Promise.all(Array.from({ length: count }, (_, i) => queue.append(payloadOf(from + i))));
}

async function drainAll(queue: DiskQueue, commit = true): Promise<number[]> {
  const seen: number[] = [];
  for (;;) {
    const batch = await queue.readBatch(7, 1e9);
    if (batch.length === 0) return seen;
    seen.push(...batch.map((record) => indexOf(record.payload)));
    if (commit) await queue.commit(batch);
  }
}

describe('the disk queue', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-queue-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('goes on draining when the cursor cannot be saved, and counts each failure', async () => {
    const { queue } = await DiskQueue.open({ dir, segmentMaxBytes });
    await appendAll(queue, 0, 10);
    // A folder where the cursor file goes makes every save fail, as a full disk would.
    await mkdir(join(dir, 'cursor.json'));

    const seen = await drainAll(queue);

    assert.deepEqual(
      seen,
      Array.from({ length: 10 }, (_, i) => i),
    );
    assert.equal(queue.stats().records, 0);
    assert.ok(queue.stats().cursorSaveFailures >= 2, 'one failure per commit');
    await queue.close();
  });

  it('hands records out in the order they were appended, across segments', async () => {
    const { queue } = await DiskQueue.open({ dir, segmentMaxBytes });
    for (let i = 0; i < 30; i += 5) await appendAll(queue, i, 5);

    assert.ok((await listSegments(dir)).length > 3, 'the records span several segments');
    assert.deepEqual(
      await drainAll(queue),
      Array.from({ length: 30 }, (_, i) => i),
    );
    assert.equal(queue.stats().records, 0);
    assert.ok((await listSegments(dir)).length <= 1, 'stored segments are removed');
    await queue.close();
  });

  it('hands out again after a restart whatever was read but not committed', async () => {
    const first = (await DiskQueue.open({ dir, segmentMaxBytes })).queue;
    await appendAll(first, 0, 20);
    await first.commit(await first.readBatch(8, 1e9));
    await first.readBatch(5, 1e9); // read, never stored: in flight when the process stops
    await first.close();

    const { queue } = await DiskQueue.open({ dir, segmentMaxBytes });
    assert.equal(queue.stats().records, 12);
    assert.deepEqual(
      await drainAll(queue),
      Array.from({ length: 12 }, (_, i) => 8 + i),
    );
    await queue.close();
  });

  it('cuts off a torn tail at start, keeps it aside, and loses no whole record', async () => {
    const first = (await DiskQueue.open({ dir })).queue;
    await appendAll(first, 0, 4);
    await first.close();
    const [seq] = await listSegments(dir);
    const path = join(dir, segmentName(seq!));
    const whole = await readFile(path);
    await appendFile(path, whole.subarray(segmentHeader.length, segmentHeader.length + 60));

    const { queue, setAside } = await DiskQueue.open({ dir });
    assert.deepEqual(
      setAside.map((item) => [item.reason, item.bytes]),
      [['torn_tail', 60]],
    );
    assert.equal(queue.stats().setAside.torn_tail.count, 1);
    assert.deepEqual(await drainAll(queue), [0, 1, 2, 3]);
    assert.equal((await readdir(join(dir, 'damaged'))).length, 1, 'the torn bytes are kept');
    await queue.close();
  });

  it('sets a damaged record aside and drains the records on either side of it', async () => {
    const first = (await DiskQueue.open({ dir })).queue;
    await appendAll(first, 0, 5);
    await first.close();
    const [seq] = await listSegments(dir);
    const path = join(dir, segmentName(seq!));
    const bytes = await readFile(path);
    const recordBytes = recordHeaderBytes + payloadOf(0).length;
    const damagedAt = segmentHeader.length + 2 * recordBytes + 30; // inside record 2
    bytes[damagedAt] = bytes[damagedAt]! ^ 0xff;
    await writeFile(path, bytes);

    const { queue, setAside } = await DiskQueue.open({ dir });
    assert.deepEqual(
      setAside.map((item) => [item.reason, item.bytes]),
      [['damaged_record', recordBytes]],
    );
    assert.deepEqual(await drainAll(queue), [0, 1, 3, 4]);
    await queue.close();

    const again = await DiskQueue.open({ dir });
    assert.deepEqual(again.setAside, [], 'damage is counted once, not at every start');
    await again.queue.close();
  });

  it('sets aside a segment that does not start like one, and drains the rest', async () => {
    const first = (await DiskQueue.open({ dir, segmentMaxBytes })).queue;
    await appendAll(first, 0, 5);
    await appendAll(first, 5, 5);
    await first.close();
    const [oldest] = await listSegments(dir);
    const path = join(dir, segmentName(oldest!));
    const bytes = await readFile(path);
    bytes.fill(0x20, 0, 4);
    await writeFile(path, bytes);
    const lost = (bytes.length - segmentHeader.length) / (recordHeaderBytes + payloadOf(0).length);

    const { queue, setAside } = await DiskQueue.open({ dir, segmentMaxBytes });
    assert.deepEqual(
      setAside.map((item) => item.reason),
      ['damaged_segment'],
    );
    const drained = await drainAll(queue);
    assert.equal(drained.length, 10 - lost);
    assert.deepEqual(
      drained,
      [...drained].sort((a, b) => a - b),
    );
    await queue.close();
  });

  it('reports how many records wait, their bytes and the age of the oldest', async () => {
    let now = 1_000_000;
    const { queue } = await DiskQueue.open({ dir, nowMillis: () => now });
    await appendAll(queue, 0, 3);
    now += 5_000;
    await appendAll(queue, 3, 2);
    now += 1_000;
    const stats = queue.stats();
    assert.equal(stats.records, 5);
    assert.equal(stats.bytes, 5 * (recordHeaderBytes + payloadOf(0).length));
    assert.equal(stats.oldestAgeMillis, 6_000);

    await queue.commit(await queue.readBatch(3, 1e9));
    assert.equal(queue.stats().oldestAgeMillis, 1_000, 'the oldest is now one appended later');
    await queue.close();
  });
});
