import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { elementHash, readFingerprint } from './fingerprint-reader.js';

/** Writes a made-up /sys and /proc: one disk with a partition holding /, two cards. */
async function machineTree(root: string) {
  const files: Record<string, string> = {
    'sys/class/dmi/id/product_uuid': '4C4C4544-0042-3510-8052-B4C04F4E3132\n',
    'sys/class/dmi/id/board_serial': '/BRD0042/\n',
    'sys/class/dmi/id/chassis_serial': 'To be filled by O.E.M.\n',
    'sys/class/dmi/id/chassis_asset_tag': 'ASSET-42\n',
    'sys/class/dmi/id/product_serial': 'SYS0042\n',
    'proc/cpuinfo':
      'vendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 186\n' +
      'model name\t: Intel(R) Core(TM) i7-1365U\nstepping\t: 3\n\nprocessor\t: 1\n',
    'proc/self/mountinfo': '22 1 259:2 / / rw,relatime - ext4 /dev/nvme0n1p2 rw\n',
    'sys/devices/pci/nvme0n1/serial': 'S4EVNF0N123\n',
    'sys/devices/pci/nvme0n1/nvme0n1p2/partition': '2\n',
    'sys/block/loop0/serial': 'not-a-disk\n',
    'sys/class/net/eth0/address': 'A4:BB:6D:00:00:42\n',
    'sys/class/net/eth0/addr_assign_type': '0\n',
    'sys/class/net/br0/address': '02:42:ac:11:00:01\n',
    'sys/class/net/wlan0/address': '7e:11:22:33:44:55\n',
    'sys/class/net/wlan0/addr_assign_type': '1\n',
    'sys/bus/pci/devices/0000:00:02.0/class': '0x030000\n',
    'sys/bus/pci/devices/0000:00:02.0/vendor': '0x8086\n',
    'sys/bus/pci/devices/0000:00:02.0/device': '0xa7a1\n',
    'sys/bus/pci/devices/0000:00:1f.3/class': '0x040300\n',
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  await mkdir(join(root, 'sys/dev/block'), { recursive: true });
  await symlink(join(root, 'sys/devices/pci/nvme0n1'), join(root, 'sys/block/nvme0n1'));
  await symlink(join(root, 'sys/devices/pci/nvme0n1/nvme0n1p2'), join(root, 'sys/dev/block/259:2'));
  for (const card of ['eth0', 'wlan0']) {
    await mkdir(join(root, `sys/devices/pci/${card}`), { recursive: true });
    await symlink(
      join(root, `sys/devices/pci/${card}`),
      join(root, `sys/class/net/${card}/device`),
    );
  }
}

test('hashes each element, leaving out placeholders, virtual disks, random addresses', async () => {
  const root = await mkdtemp(join(tmpdir(), 'strata-fingerprint-'));
  try {
    await machineTree(root);
    const sources = {
      sysRoot: join(root, 'sys'),
      procRoot: join(root, 'proc'),
      fqdn: 'Desk-42.Corp.Example',
    };
    const fingerprint = await readFingerprint(sources);
    assert.deepEqual(fingerprint, {
      platformUuid: elementHash('platformUuid', '4c4c4544-0042-3510-8052-b4c04f4e3132'),
      fqdn: elementHash('fqdn', 'desk-42.corp.example'),
      cpu: elementHash('cpu', 'GenuineIntel|Intel(R) Core(TM) i7-1365U|6|186|3'),
      boardSerial: elementHash('boardSerial', '/BRD0042/'),
      chassis: elementHash('chassis', 'ASSET-42'),
      biosSerial: elementHash('biosSerial', 'SYS0042'),
      bootDisk: elementHash('bootDisk', 'S4EVNF0N123'),
      disks: [elementHash('disk', 'S4EVNF0N123')],
      nics: [elementHash('nic', 'a4:bb:6d:00:00:42')],
      controllers: [elementHash('controller', '0x8086:0xa7a1:0x030000')],
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a machine without DMI or disks still gives what it has', async () => {
  const root = await mkdtemp(join(tmpdir(), 'strata-fingerprint-'));
  try {
    const sources = { sysRoot: join(root, 'sys'), procRoot: join(root, 'proc'), fqdn: 'vm-1' };
    assert.deepEqual(await readFingerprint(sources), {
      fqdn: elementHash('fqdn', 'vm-1'),
      disks: [],
      nics: [],
      controllers: [],
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
