/** Disks and the boot disk, by serial number or WWN, from /sys/block and the root mount. */
import { readdir, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { readValue, type FingerprintSources } from './fingerprint-reader.js';

// Block devices that are not disks of their own: loops, RAM disks, device-mapper, md, zram.
const virtualBlockDevices = /^(loop|ram|zram|dm-|md|sr|nbd)/;

/** Disk name -> serial (or WWN), for the disks that report one. */
export async function readDisks(sysRoot: string): Promise<Map<string, string>> {
  const names = await readdir(join(sysRoot, 'block')).catch(() => [] as string[]);
  const disks = new Map<string, string>();
  for (const name of names.filter((n) => !virtualBlockDevices.test(n)).sort()) {
    const base = join(sysRoot, 'block', name);
    for (const file of ['device/serial', 'serial', 'device/wwid', 'wwid']) {
      const serial = await readValue(join(base, file));
      if (serial) {
        disks.set(name, serial);
        break;
      }
    }
  }
  return disks;
}

/** The disk the root file system is on, from the root mount's device number. */
export async function readBootDisk(sources: FingerprintSources, disks: Map<string, string>) {
  const mountinfo = await readFile(join(sources.procRoot, 'self/mountinfo'), 'utf8').catch(
    () => '',
  );
  const root = mountinfo.split('\n').find((line) => line.split(' ')[4] === '/');
  const device = root?.split(' ')[2];
  if (!device) return undefined;
  const path = await realpath(join(sources.sysRoot, 'dev/block', device)).catch(() => '');
  // A partition's folder sits inside its disk's folder; a whole disk is named itself.
  const parts = path.split('/');
  const disk = [...parts].reverse().find((part) => disks.has(part));
  return disk ? disks.get(disk) : undefined;
}
