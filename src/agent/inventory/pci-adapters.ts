/**
 * Graphics adapters and network cards from /sys/bus/pci: what `lspci -nk` shows, read without
 * running it. Names come from the hub's copy of the PCI ID list, not from each machine.
 */
import { readdir, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';

import type { PciAdapter } from '../../protocol/callback-inventory.js';
import { readValue } from '../connector-id/fingerprint-reader.js';

/** PCI base classes, the first byte of the class code. */
const networkClass = '02';
const displayClass = '03';

/** The machine's adapters, sorted by slot. */
export async function readPciAdapters(
  sysRoot: string,
): Promise<{ graphics: PciAdapter[]; networkCards: PciAdapter[] }> {
  const base = join(sysRoot, 'bus/pci/devices');
  const slots = (await readdir(base).catch(() => [] as string[])).sort();
  const graphics: PciAdapter[] = [];
  const networkCards: PciAdapter[] = [];
  for (const slot of slots) {
    const dir = join(base, slot);
    const cls = (await readValue(join(dir, 'class'))) ?? '';
    const baseClass = cls.replace(/^0x/, '').slice(0, 2);
    if (baseClass !== networkClass && baseClass !== displayClass) continue;

    const [vendor, device, driver] = await Promise.all([
      readValue(join(dir, 'vendor')),
      readValue(join(dir, 'device')),
      readlink(join(dir, 'driver')).then(basename, () => ''),
    ]);
    const adapter = { slot, vendorId: hex4(vendor), deviceId: hex4(device), driver };
    (baseClass === displayClass ? graphics : networkCards).push(adapter);
  }
  return { graphics, networkCards };
}

function hex4(value: string | undefined): string {
  return (value ?? '').replace(/^0x/, '').toLowerCase();
}
