import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { after, before, describe, test } from 'node:test';

import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

import {
  callbackJsonSchema,
  type CallbackV1,
  type MachineSample,
} from '../protocol/callback-schema.js';
import { collectMachineSample } from './machine-sample.js';

/** How long the child keeps one core busy; it outlasts the 1 s CPU window on purpose. */
const busyMillis = 1_500;

// The child spins, says so, then idles so that it is still alive when the window closes.
const busyScript = `
  const end = Date.now() + ${busyMillis};
  process.stdout.write('busy\\n');
  while (Date.now() < end) {}
  setInterval(() => {}, 60_000);
`;

describe('collectMachineSample on this machine', () => {
  let busyChild: ChildProcess;
  let sample: MachineSample;

  before(async () => {
    busyChild = spawn(process.execPath, ['-e', busyScript], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await once(busyChild.stdout!, 'data');

    const startedMillis = performance.now();
    sample = await collectMachineSample();
    const elapsedMillis = Math.round(performance.now() - startedMillis);
    console.log(`collectMachineSample took ${elapsedMillis} ms`);
  });

  after(() => {
    busyChild.kill();
  });

  test('names the machine as the operating system does', () => {
    assert.equal(sample.machine.hostname, hostname());
    assert.ok(sample.machine.fqdn.toLowerCase().startsWith(hostname().toLowerCase()));
  });

  test('reports the memory total of /proc/meminfo, split into used and available', async () => {
    const meminfo = await readFile('/proc/meminfo', 'utf8');
    const totalKib = Number(/^MemTotal:\s+(\d+) kB/m.exec(meminfo)?.[1]);
    const { totalBytes, usedBytes, availableBytes } = sample.machine.memory;

    assert.equal(totalBytes, totalKib * 1_024);
    assert.equal(usedBytes + availableBytes, totalBytes);
    assert.ok(usedBytes > 0);
  });

  test('lists its own process with its parent, owner and resident memory', () => {
    const own = sample.processes.find((entry) => entry.pid === process.pid);

    assert.ok(own, `pid ${process.pid} is missing from the process list`);
    assert.equal(own.parentPid, process.ppid);
    assert.equal(own.account, `${userInfo().username}@${hostname()}`);
    assert.ok(own.memoryRssBytes > 0);
    assert.ok(own.command.includes('machine-sample.test.ts'));
  });

  test('shows a process that keeps a core busy using a clear share of the machine', () => {
    const busy = sample.processes.find((entry) => entry.pid === busyChild.pid);

    assert.ok(busy, `busy child ${busyChild.pid} is missing from the process list`);
    // A whole core would be 50 on two cores; other work on a shared machine takes its share,
    // but an idle process shows 0.
    assert.ok(busy.cpuPercent > 5, `busy child used ${busy.cpuPercent}%`);
    assert.ok(sample.cpuPercent >= busy.cpuPercent - 1);
  });

  test('puts the busiest processes first', () => {
    const shares = sample.processes.map((entry) => entry.cpuPercent);
    assert.deepEqual(
      shares,
      [...shares].sort((a, b) => b - a),
    );
  });

  test('includes the file system mounted at /', async () => {
    const mounts = await readFile('/proc/self/mounts', 'utf8');
    // The last mount on a point is the one in effect.
    const rootDevice = mounts
      .split('\n')
      .map((line) => line.split(' '))
      .filter((fields) => fields[1] === '/')
      .at(-1)?.[0];
    const root = sample.disks.find((disk) => disk.mount === '/');

    assert.ok(root, 'no disk is mounted at /');
    assert.equal(root.device, rootDevice);
    assert.ok(root.sizeBytes > 0 && root.usedBytes <= root.sizeBytes);
  });

  test('passes the callback schema the hub validates against', () => {
    // ajv-formats is CommonJS; under ESM its plugin arrives as the module's default.
    const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats(ajv);
    const validate = ajv.compile<CallbackV1>(callbackJsonSchema);
    const callback: CallbackV1 = {
      schema: 'strata.callback.v1',
      callbackId: randomUUID(),
      agentVersion: '0.1.0',
      ...sample,
    };

    assert.ok(validate(callback), JSON.stringify(validate.errors, null, 2));
  });
});

test('collectMachineSample keeps no more than maxProcesses, the busiest', async () => {
  const sample = await collectMachineSample({ maxProcesses: 3 });

  assert.equal(sample.processes.length, 3);
  const shares = sample.processes.map((entry) => entry.cpuPercent);
  assert.deepEqual(
    shares,
    [...shares].sort((a, b) => b - a),
  );
});
