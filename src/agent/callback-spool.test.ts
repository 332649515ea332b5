import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { sampleCallback } from '../../test/support/sample-callback.js';
import { CallbackSpool } from './callback-spool.js';

const hourMillis = 60 * 60_000;
const dayMillis = 24 * hourMillis;

describe('the agent’s offline callback spool', () => {
  let dir: string;
  let nowMillis: number;
  const clock = () => nowMillis;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-spool-'));
    nowMillis = Date.parse('2026-03-01T00:00:00Z');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Spools one callback an hour for `days` days, the fake clock moving on each hour. */
  const spoolHourly = async (spool: CallbackSpool, days: number) => {
    const ids: string[] = [];
    for (let hour = 0; hour < days * 24; hour++) {
      const callback = sampleCallback();
      callback.sampledAt = new Date(nowMillis).toISOString();
      await spool.add(callback);
      ids.push(callback.callbackId);
      nowMillis += hourMillis;
    }
    nowMillis -= hourMillis; // the clock stands at the last callback
    return ids;
  };

  it('keeps 14 of 20 days of hourly callbacks and counts the rest as aged out', async () => {
    const spool = new CallbackSpool({ dir, retentionDays: 14, nowMillis: clock });
    await spool.open();

    const ids = await spoolHourly(spool, 20);

    const names = await spool.names();
    // A callback spooled exactly 14 days before the newest is still inside the window.
    const keptCount = 14 * 24 + 1;
    assert.equal(names.length, keptCount);
    assert.deepEqual(
      names.map((name) => name.slice(16, 52)),
      ids.slice(-keptCount),
      'the newest are kept, oldest first',
    );
    assert.equal(spool.dropped.agedOut, ids.length - keptCount);
    assert.equal(spool.dropped.overBytes, 0);
  });

  it('drops the oldest past the byte ceiling and counts them apart from the aged', async () => {
    const size = JSON.stringify(sampleCallback()).length;
    const spool = new CallbackSpool({ dir, maxBytes: size * 10.5, nowMillis: clock });
    await spool.open();

    const ids = await spoolHourly(spool, 1);

    const names = await spool.names();
    assert.equal(names.length, 10);
    assert.equal(names.at(-1)!.slice(16, 52), ids.at(-1));
    assert.equal(spool.dropped.overBytes, 14);
    assert.equal(spool.dropped.agedOut, 0);
  });

  it('keeps the newest callback even when it alone is past the byte ceiling', async () => {
    const spool = new CallbackSpool({ dir, maxBytes: 10, nowMillis: clock });
    await spool.open();

    await spoolHourly(spool, 1);

    assert.equal((await spool.names()).length, 1);
    assert.equal(spool.dropped.overBytes, 23);
  });

  it('remembers its drop counts across a restart', async () => {
    const first = new CallbackSpool({ dir, retentionDays: 1, nowMillis: clock });
    await first.open();
    await spoolHourly(first, 3);

    const second = new CallbackSpool({ dir, retentionDays: 1, nowMillis: clock });
    await second.open();

    assert.equal(second.dropped.agedOut, 3 * 24 - 25);
    assert.deepEqual(second.dropped, first.dropped);
  });

  it('sets aside and counts a zero-length and a truncated record, keeps the rest', async () => {
    const spool = new CallbackSpool({ dir, nowMillis: clock });
    await spool.open();
    const ids = await spoolHourly(spool, 1);
    const names = await spool.names();
    // What power loss can leave: a file whose data never reached the disk, and one cut short.
    await writeFile(join(dir, names[3]!), '');
    const whole = await readFile(join(dir, names[7]!), 'utf8');
    await writeFile(join(dir, names[7]!), whole.slice(0, whole.length / 2));

    const read = [];
    for (const name of await spool.names()) read.push(await spool.read(name));

    const kept = read.filter((callback) => callback !== null).map((c) => c!.callbackId);
    assert.deepEqual(
      kept,
      ids.filter((_, i) => i !== 3 && i !== 7),
    );
    assert.equal(spool.dropped.damaged, 2);
    assert.equal((await readdir(join(dir, 'damaged'))).length, 2, 'both files are kept aside');
    assert.equal((await spool.names()).length, ids.length - 2);
  });

  it('finishes a whole record left under its temporary name, sets a torn one aside', async () => {
    const spool = new CallbackSpool({ dir, nowMillis: clock });
    await spool.open();
    const whole = sampleCallback();
    const torn = sampleCallback();
    const stamp = String(nowMillis).padStart(15, '0');
    await writeFile(join(dir, `${stamp}-${whole.callbackId}.json.4242.tmp`), JSON.stringify(whole));
    await writeFile(
      join(dir, `${stamp}-${torn.callbackId}.json.4242.tmp`),
      JSON.stringify(torn).slice(0, 100),
    );

    const restarted = new CallbackSpool({ dir, nowMillis: clock });
    await restarted.open();

    const names = await restarted.names();
    assert.deepEqual(names, [`${stamp}-${whole.callbackId}.json`]);
    assert.equal((await restarted.read(names[0]!))?.callbackId, whole.callbackId);
    assert.equal(restarted.dropped.damaged, 1);
  });

  it('orders a callback spooled after the clock went back as the newest', async () => {
    const first = new CallbackSpool({ dir, nowMillis: clock });
    await first.open();
    const before = await spoolHourly(first, 1);
    nowMillis -= 5 * hourMillis;

    const restarted = new CallbackSpool({ dir, nowMillis: clock });
    await restarted.open();
    const after = sampleCallback();
    await restarted.add(after);

    const newest = await restarted.newestFirst().next();
    assert.equal((await restarted.read(newest.value as string))?.callbackId, after.callbackId);
    assert.equal((await restarted.names()).length, before.length + 1);
  });
});
