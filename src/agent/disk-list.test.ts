import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test } from 'node:test';

import { readDisks } from './disk-list.js';

const run = promisify(execFile);

test('lists the storage that df --local shows, with the same device and size', async () => {
  const [disks, df] = await Promise.all([
    readDisks(),
    run('df', ['--local', '--block-size=1', '--output=source,size,target']),
  ]);
  const dfByMount = new Map(
    df.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .map(([device, size, ...mount]) => [mount.join(' '), { device, size: Number(size) }]),
  );

  assert.ok(disks.length > 0, 'no file system was listed');
  for (const disk of disks) {
    const shown = dfByMount.get(disk.mount);
    assert.ok(shown, `${disk.mount} is not in df --local`);
    assert.equal(disk.device, shown.device);
    assert.equal(disk.sizeBytes, shown.size);
  }
});
