import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { test } from 'node:test';

import { createAccountNamer } from './account-names.js';
import { measurePortableCpuWindow } from './cpu-window-portable.js';

// The portable path serves Windows and macOS; systeminformation runs it on Linux as well,
// which is where it is tested.
const windowMillis = 1_000;
const busyScript = `
  const end = Date.now() + 1_500;
  process.stdout.write('busy\\n');
  while (Date.now() < end) {}
  setInterval(() => {}, 60_000);
`;

test('measurePortableCpuWindow measures a busy process over the window', async (context) => {
  const busyChild = spawn(process.execPath, ['-e', busyScript], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  context.after(() => busyChild.kill());
  await once(busyChild.stdout!, 'data');

  const window = await measurePortableCpuWindow(windowMillis, 2_000);
  const processes = await window.describeProcesses(await createAccountNamer(hostname(), ''));

  const busy = processes.find((entry) => entry.pid === busyChild.pid);
  const own = processes.find((entry) => entry.pid === process.pid);
  assert.ok(busy && busy.cpuPercent > 5, `busy child used ${busy?.cpuPercent}%`);
  assert.ok(window.cpuPercent >= busy.cpuPercent - 1 && window.cpuPercent <= 100);
  assert.ok(own && own.parentPid === process.ppid && own.memoryRssBytes > 0);
  assert.ok(own.startedAt !== null && Date.parse(own.startedAt) <= Date.now());
});
