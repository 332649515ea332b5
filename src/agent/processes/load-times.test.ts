import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';

import { createAccountNamer } from '../account-names.js';
import { startLoadTimeWatcher, type LoadTimeWatcher } from './load-times.js';

// A program that works for `busyMillis` of wall time (as an application loads), then idles.
const loader = (busyMillis: number, idleMillis: number) =>
  `const end = Date.now() + ${busyMillis}; while (Date.now() < end); ` +
  `setTimeout(() => {}, ${idleMillis});`;

const wait = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

describe('application load time on this machine', { skip: process.platform !== 'linux' }, () => {
  let watcher: LoadTimeWatcher;
  before(async () => {
    watcher = (await startLoadTimeWatcher())!;
    await wait(700); // the first look only learns which processes were there before
  });
  after(() => watcher?.stop());

  it('reports a process busy for 1.5 s and then quiet, with its load time', async () => {
    const child = spawn(process.execPath, ['-e', loader(1_500, 3_000)]);
    await wait(3_500);
    const namer = await createAccountNamer('this-host', '');
    const events = await watcher.drain(namer);
    child.kill();
    await once(child, 'exit');

    const mine = events.find((event) => event.pid === child.pid);
    assert.ok(mine, JSON.stringify(events));
    assert.equal(mine.event, 'loaded');
    assert.equal(mine.application, 'node');
    assert.equal(mine.account, await namer.byUid(process.getuid!()));
    // It cannot have settled before its work was done, and it was quiet a window later.
    assert.ok(mine.durationMillis! >= 1_500, `${mine.durationMillis} ms`);
    assert.ok(mine.durationMillis! < 6_000, `${mine.durationMillis} ms`);
  });

  it('gives no load time to a process quiet from start, nor one that ended busy', async () => {
    const before = { ...watcher.counts };
    const sleeper = spawn('sleep', ['2']);
    const brief = spawn(process.execPath, ['-e', loader(800, 0)]);
    await Promise.all([once(sleeper, 'exit'), once(brief, 'exit')]);
    await wait(700);
    const events = await watcher.drain(await createAccountNamer('this-host', ''));

    assert.equal(events.filter((e) => e.pid === sleeper.pid || e.pid === brief.pid).length, 0);
    assert.ok(watcher.counts.quietFromStart > before.quietFromStart);
    assert.ok(watcher.counts.endedBeforeSettling > before.endedBeforeSettling);
  });
});
