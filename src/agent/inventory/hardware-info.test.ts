import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { parseBiosDate, readHardwareInfo } from './hardware-info.js';
import { detectVirtualization } from './virtualization.js';

const nowMillis = Date.parse('2026-12-03T12:00:00Z');

describe('readHardwareInfo on a made-up machine', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-hw-'));
    const dmi = join(root, 'sys/class/dmi/id');
    await mkdir(dmi, { recursive: true });
    await writeFile(join(dmi, 'sys_vendor'), 'LENOVO\n');
    await writeFile(join(dmi, 'product_name'), '20XW0055GE\n');
    await writeFile(join(dmi, 'product_serial'), 'To be filled by O.E.M.\n');
    await writeFile(join(dmi, 'bios_date'), '03/15/2021\n');
    const pci = (slot: string, cls: string, driver?: string) => async () => {
      const dir = join(root, 'sys/bus/pci/devices', slot);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'class'), `${cls}\n`);
      await writeFile(join(dir, 'vendor'), '0x8086\n');
      await writeFile(join(dir, 'device'), '0x9A49\n');
      if (driver) await symlink(`../../../bus/pci/drivers/${driver}`, join(dir, 'driver'));
    };
    await pci('0000:00:02.0', '0x030000', 'i915')();
    await pci('0000:00:14.3', '0x028000', 'iwlwifi')();
    await pci('0000:00:1f.3', '0x040380')();
    await mkdir(join(root, 'proc'));
    await writeFile(join(root, 'proc/cpuinfo'), 'processor\t: 0\nflags\t\t: fpu vme sse2\n');
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('reports make, model, BIOS age and adapters, and leaves placeholders empty', async () => {
    const info = await readHardwareInfo(nowMillis, {
      sysRoot: join(root, 'sys'),
      procRoot: join(root, 'proc'),
    });
    assert.equal(info.manufacturer, 'LENOVO');
    assert.equal(info.model, '20XW0055GE');
    assert.equal(info.serial, '');
    assert.equal(info.biosDate, '2021-03-15');
    assert.equal(info.biosAgeDays, 2089);
    assert.deepEqual(info.graphics, [
      { slot: '0000:00:02.0', vendorId: '8086', deviceId: '9a49', driver: 'i915' },
    ]);
    assert.deepEqual(
      info.networkCards.map((card) => card.driver),
      ['iwlwifi'],
    );
  });
});

describe('detectVirtualization', () => {
  const noTool = async () => null;
  test('names the hypervisor from the firmware when systemd-detect-virt is missing', async () => {
    const result = await detectVirtualization('/nonexistent', 'QEMU Standard PC', noTool);
    assert.deepEqual(result, { isVirtual: true, hypervisor: 'kvm', container: '' });
  });
  test('says bare metal only on a definite answer', async () => {
    const none = async () => 'none';
    assert.equal((await detectVirtualization('/nonexistent', '', none)).isVirtual, false);
    assert.equal((await detectVirtualization('/nonexistent', '', noTool)).isVirtual, null);
  });
});

test('parseBiosDate refuses what is not a DMI date', () => {
  assert.equal(parseBiosDate('1/2/2020'), '2020-01-02');
  assert.equal(parseBiosDate('2020-01-02'), null);
  assert.equal(parseBiosDate(''), null);
});

test('readHardwareInfo on this machine agrees with systemd-detect-virt and PCI', async () => {
  const info = await readHardwareInfo(Date.now());
  const detect = (flag: string) => {
    try {
      return execFileSync('systemd-detect-virt', [flag], { encoding: 'utf8' }).trim();
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? '').trim() || null;
    }
  };
  const vm = detect('--vm');
  if (vm && vm !== 'none') assert.equal(info.hypervisor, vm);
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8');
  if (/\bhypervisor\b/.test(cpuinfo)) assert.equal(info.isVirtual, true);

  const slots = await readdir('/sys/bus/pci/devices').catch(() => [] as string[]);
  let networkCount = 0;
  for (const slot of slots) {
    const cls = await readFile(`/sys/bus/pci/devices/${slot}/class`, 'utf8');
    if (cls.startsWith('0x02')) networkCount += 1;
  }
  assert.equal(info.networkCards.length, networkCount);
  console.log('hardware on this machine:', JSON.stringify(info));
});
