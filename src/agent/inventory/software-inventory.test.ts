import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import type { InstalledPackage } from '../../protocol/callback-inventory.js';
import { checkCallback } from '../../protocol/callback-validator.js';
import { dpkgSource, parseDpkgStatus } from './dpkg-packages.js';
import { readHardwareInfo } from './hardware-info.js';
import { parseRpmQuery } from './rpm-packages.js';
import { packagesHash, type PackageSource } from './package-source.js';
import { SoftwareTracker } from './software-inventory.js';

const hasDpkg = await stat('/var/lib/dpkg/status').then(
  () => true,
  () => false,
);

describe('dpkg packages on this machine', { skip: !hasDpkg && 'no dpkg here' }, () => {
  test('match dpkg-query, version for version, with install dates', async () => {
    const packages = await dpkgSource().read();
    const listed = execFileSync(
      'dpkg-query',
      ['-W', '-f', '${db:Status-Abbrev}\t${Package}\t${Architecture}\t${Version}\n'],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    )
      .split('\n')
      .filter((line) => /^.[iUFWt]/.test(line))
      .map((line) => line.split('\t').slice(1).join('\t'))
      .sort();
    const ours = packages.map((p) => `${p.name}\t${p.architecture}\t${p.version}`).sort();

    assert.deepEqual(ours, listed);
    const dated = packages.filter((p) => p.installedAt !== null).length;
    assert.ok(dated >= packages.length * 0.95, `${dated} of ${packages.length} have dates`);
    console.log(`${packages.length} packages, ${dated} with install dates`);
  });
});

test('parseDpkgStatus leaves out removed packages whose configuration is kept', () => {
  const text =
    'Package: a\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-1\n\n' +
    'Package: b\nStatus: deinstall ok config-files\nArchitecture: all\nVersion: 2\n';
  assert.deepEqual(
    parseDpkgStatus(text).map((p) => p.name),
    ['a'],
  );
});

test('parseRpmQuery reads version-release, architecture and install time', () => {
  const [pkg] = parseRpmQuery('bash\t5.2.15-3.el9\tx86_64\t1700000000\n');
  assert.deepEqual(pkg, {
    name: 'bash',
    version: '5.2.15-3.el9',
    architecture: 'x86_64',
    installedAt: '2023-11-14T22:13:20.000Z',
  });
});

describe('SoftwareTracker', () => {
  const fakeSource =
    (state: { mark: string; packages: InstalledPackage[]; reads: number }) =>
    async (): Promise<PackageSource> => ({
      name: 'dpkg',
      changeMark: async () => state.mark,
      read: async () => {
        state.reads += 1;
        return state.packages;
      },
    });
  const one = { name: 'a', version: '1', architecture: 'all', installedAt: null };

  test('sends the list once, then only its hash until it changes, across restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-sw-'));
    const statePath = join(dir, 'software-hash');
    const state = { mark: '1', packages: [one], reads: 0 };
    const tracker = new SoftwareTracker(statePath, fakeSource(state));

    const first = await tracker.inventory();
    assert.deepEqual(first.packages, [one]);
    assert.equal(first.packagesHash, packagesHash([one]));
    await tracker.markSent(first);
    const second = await tracker.inventory();
    assert.equal(second.packages, undefined);
    assert.equal(second.packageCount, 1);
    assert.equal(state.reads, 1, 'an unchanged database is not read again');

    const restarted = new SoftwareTracker(statePath, fakeSource(state));
    assert.equal((await restarted.inventory()).packages, undefined);
    assert.equal(await readFile(statePath, 'utf8'), `${first.packagesHash}\n`);

    state.mark = '2';
    state.packages = [one, { ...one, name: 'b' }];
    assert.equal((await restarted.inventory()).packages?.length, 2);
    await rm(dir, { recursive: true, force: true });
  });

  test('a list that was never spooled is offered again', async () => {
    const state = { mark: '1', packages: [one], reads: 0 };
    const tracker = new SoftwareTracker(null, fakeSource(state));
    await tracker.inventory();
    assert.deepEqual((await tracker.inventory()).packages, [one]);
  });
});

test("a callback with this machine's hardware and software passes the hub's check", async () => {
  const software = await new SoftwareTracker(null).inventory();
  const hardware = await readHardwareInfo(Date.now());
  const callback = {
    schema: 'strata.callback.v1',
    callbackId: randomUUID(),
    agentVersion: '0.0.0',
    sampledAt: new Date().toISOString(),
    machine: {
      hostname: 'h',
      fqdn: 'h',
      os: { platform: 'linux', distro: '', release: '', kernel: '', arch: '' },
      cpu: { model: '', logicalCount: 1, physicalCount: 1, speedGhz: 0 },
      memory: { totalBytes: 1, usedBytes: 0, availableBytes: 1 },
      bootedAt: null,
    },
    cpuPercent: 0,
    load1: null,
    disks: [],
    interfaces: [],
    users: [],
    processes: [],
    hardware,
    software,
  };
  const checked = checkCallback(callback);
  assert.ok(checked.ok, checked.ok ? '' : checked.problem);
  assert.ok(software.patchLevel.includes(release()));
});
