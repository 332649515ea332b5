import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { MachineSample } from '../../protocol/callback-schema.js';
import { checkCallback } from '../../protocol/callback-validator.js';
import { collectMachineSample } from '../machine-sample.js';
import type { TaskTicks } from '../proc-stat.js';
import { parseIo } from './process-io.js';
import { ProcessUsageTracker } from './process-usage.js';
import { StuckProcessTracker } from './stuck-processes.js';

/** What the child writes and flushes to disk before the sample. */
const writtenBytes = 8 * 1024 * 1024;

describe('process use on this machine', () => {
  let dir: string;
  let child: ChildProcess;
  let sample: MachineSample;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-io-'));
    const script = `
      const fs = require('node:fs');
      const fd = fs.openSync(${JSON.stringify(join(dir, 'data'))}, 'w');
      fs.writeSync(fd, Buffer.alloc(${writtenBytes}, 1));
      fs.fsyncSync(fd);
      process.stdout.write('written\\n');
      setInterval(() => {}, 60_000);`;
    child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await once(child.stdout!, 'data');
    sample = await collectMachineSample({ processUsage: new ProcessUsageTracker() });
  });
  after(async () => {
    child.kill();
    await rm(dir, { recursive: true, force: true });
  });

  test('counts the bytes a process wrote to disk, as /proc/<pid>/io does', () => {
    const writer = sample.processes.find((p) => p.pid === child.pid);
    assert.ok(writer, 'the writing child is among the processes');
    assert.ok((writer.diskWriteBytes ?? 0) >= writtenBytes, `${writer.diskWriteBytes} bytes`);
  });

  test('groups every process per user, as ps and the process list show them', () => {
    const uids = execFileSync('ps', ['-e', '-o', 'uid='], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => Number(line.trim()));
    const users = sample.usage!.byUser;
    // Other tests start and end processes meanwhile, so ps is compared on owners, not sums.
    assert.ok(users.length >= new Set(uids).size - 1, JSON.stringify(users.map((u) => u.key)));
    const root = users.find((group) => group.key.startsWith('root@'))!;
    const listed = sample.processes.filter((p) => p.account === root.key);
    const listedBytes = listed.reduce((sum, p) => sum + p.memoryRssBytes, 0);
    assert.ok(Math.abs(root.processCount - listed.length) <= 2);
    assert.ok(
      Math.abs(root.memoryRssBytes - listedBytes) <= listedBytes * 0.05,
      `${root.memoryRssBytes} against ${listedBytes}`,
    );
    const node = sample.usage!.byApplication.find((group) => group.key === 'node');
    assert.ok(node && node.processCount >= 2 && node.diskWriteBytes >= writtenBytes);
  });

  test('passes the callback schema the hub validates against', () => {
    const callback = {
      schema: 'strata.callback.v1',
      callbackId: crypto.randomUUID(),
      agentVersion: '0',
      ...sample,
    };
    const checked = checkCallback(callback);
    assert.ok(checked.ok, checked.ok ? '' : checked.problem);
  });
});

describe('StuckProcessTracker', () => {
  const task = (pid: number, state: string) =>
    ({ pid, state, startTicks: 7, comm: 'cp' }) as TaskTicks;
  const describeTask = () => ({ application: 'cp', account: 'alice@desk1' });

  test('reports a process in state D past the threshold, with how long it has been stuck', () => {
    const tracker = new StuckProcessTracker(10_000);
    const t0 = Date.parse('2026-12-01T10:00:00Z');
    assert.deepEqual(tracker.observe([task(5, 'D'), task(6, 'D')], t0, describeTask), []);
    const later = tracker.observe([task(5, 'D'), task(6, 'S')], t0 + 15_000, describeTask);
    assert.deepEqual(later, [
      {
        event: 'not_responding',
        at: '2026-12-01T10:00:00.000Z',
        pid: 5,
        application: 'cp',
        account: 'alice@desk1',
        durationMillis: 15_000,
      },
    ]);
    // Process 6 left D, so entering it again starts a new count.
    assert.deepEqual(tracker.observe([task(6, 'D')], t0 + 30_000, describeTask), []);
  });
});

test('parseIo reads the storage counters and refuses an empty file', () => {
  const text = 'rchar: 10\nwchar: 20\nread_bytes: 4096\nwrite_bytes: 8192\n';
  assert.deepEqual(parseIo(text), { readBytes: 4_096, writeBytes: 8_192 });
  assert.equal(parseIo(''), null);
});
