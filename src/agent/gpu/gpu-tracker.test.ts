import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { parseDrmFdinfo } from './drm-clients.js';
import { GpuTracker } from './gpu-tracker.js';
import { parseNvidiaGpus, parseNvidiaProcesses } from './nvidia-smi.js';

// This machine has no GPU: the DRM tests run on a made-up /proc and /sys laid out as the
// kernel lays them out, with fdinfo text in the format of Documentation/gpu/drm-usage-stats.
const fdinfo = (renderNanos: number, copyNanos: number) =>
  [
    'pos:\t0',
    'flags:\t02100002',
    'drm-driver:\ti915',
    'drm-client-id:\t7',
    'drm-pdev:\t0000:00:02.0',
    `drm-engine-render:\t${renderNanos} ns`,
    `drm-engine-copy:\t${copyNanos} ns`,
    'drm-engine-capacity-copy:\t2',
    'drm-resident-system:\t2048 KiB',
    'drm-resident-local0:\t64 MiB',
    '',
  ].join('\n');

describe('GPU use from DRM client statistics and nvidia-smi', () => {
  let root: string;
  const proc = () => join(root, 'proc');
  const sys = () => join(root, 'sys');

  async function writeClient(renderNanos: number, copyNanos: number) {
    await writeFile(join(proc(), '4242/fdinfo/5'), fdinfo(renderNanos, copyNanos));
    await writeFile(join(proc(), '4242/fdinfo/9'), fdinfo(renderNanos, copyNanos));
  }

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-gpu-'));
    await mkdir(join(sys(), 'class/drm/card0'), { recursive: true });
    const pci = join(sys(), 'bus/pci/devices/0000:00:02.0');
    await mkdir(pci, { recursive: true });
    await writeFile(join(pci, 'vendor'), '0x8086\n');
    await writeFile(join(pci, 'device'), '0x46a6\n');
    for (const dir of ['fd', 'fdinfo']) await mkdir(join(proc(), '4242', dir), { recursive: true });
    await mkdir(join(proc(), '77/fd'), { recursive: true });
    // fd 5 and its duplicate fd 9 are one DRM client; fd 1 is no GPU at all.
    await symlink('/dev/dri/renderD128', join(proc(), '4242/fd/5'));
    await symlink('/dev/dri/renderD128', join(proc(), '4242/fd/9'));
    await symlink('/dev/pts/0', join(proc(), '4242/fd/1'));
    await symlink('/usr/lib/firefox/firefox', join(proc(), '4242/exe'));
    await writeFile(join(proc(), '4242/comm'), 'Renderer\n');
    await symlink('/dev/null', join(proc(), '77/fd/0'));
    await writeClient(1_000_000_000, 0);
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('reads engines, capacities and resident memory from one fdinfo file', () => {
    const client = parseDrmFdinfo(fdinfo(5, 6))!;
    assert.equal(client.driver, 'i915');
    assert.equal(client.device, '0000:00:02.0');
    assert.deepEqual(
      [...client.engineNanos],
      [
        ['render', 5],
        ['copy', 6],
      ],
    );
    assert.equal(client.engineCapacity.get('copy'), 2);
    assert.equal(client.memoryBytes, 2_048 * 1_024 + 64 * 1_048_576);
    assert.equal(parseDrmFdinfo('pos:\t0\nflags:\t0\n'), null);
  });

  it('gives the share of the sample each process kept the busiest engine at work', async () => {
    const tracker = new GpuTracker({ procRoot: proc(), sysRoot: sys(), nvidiaSmi: '/nonexistent' });
    const first = (await tracker.measure(10_000))!;
    assert.equal(first.devices[0]!.busyPercent, null, 'one reading has no window yet');
    assert.equal(first.processes[0]!.memoryBytes, 2_048 * 1_024 + 64 * 1_048_576);

    // One second later: 250 ms more render work, 600 ms on the two copy engines (30%).
    await writeClient(1_250_000_000, 600_000_000);
    const second = (await tracker.measure(11_000))!;
    assert.deepEqual(second.devices, [
      {
        ...{ id: '0000:00:02.0', name: '8086:46a6', driver: 'i915', source: 'drm' },
        ...{ busyPercent: 30, memoryUsedBytes: null, memoryTotalBytes: null },
      },
    ]);
    assert.equal(second.processes.length, 1, 'the duplicated fd counts once');
    const [firefox] = second.processes;
    assert.equal(firefox!.application, 'firefox');
    assert.equal(firefox!.pid, 4242);
    assert.equal(firefox!.busyPercent, 30);
  });

  it('reads NVIDIA devices and compute processes from nvidia-smi output', () => {
    const gpus = parseNvidiaGpus('00000000:01:00.0, NVIDIA A16, 37, 1024, 16384\n');
    assert.deepEqual(gpus, [
      {
        ...{ id: '0000:01:00.0', name: 'NVIDIA A16', driver: 'nvidia', source: 'nvidia-smi' },
        ...{ busyPercent: 37, memoryUsedBytes: 1_073_741_824, memoryTotalBytes: 17_179_869_184 },
      },
    ]);
    const apps = parseNvidiaProcesses('3141, 00000000:01:00.0, 512, /usr/bin/blender\n');
    assert.equal(apps[0]!.application, 'blender');
    assert.equal(apps[0]!.memoryBytes, 536_870_912);
    assert.equal(parseNvidiaGpus('00000000:01:00.0, X, [N/A], 1, 2')[0]!.busyPercent, null);
  });

  it('reports nothing on this machine, which has no GPU', async () => {
    assert.equal(await new GpuTracker().measure(Date.now()), null);
  });
});
