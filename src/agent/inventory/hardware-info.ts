/**
 * The machine's make and age: manufacturer, model and serial from the firmware's DMI tables,
 * the BIOS date as a stand-in for age, its adapters, and whether it is virtual. Reuses the
 * fingerprint's readers, so placeholder strings ("To be filled by O.E.M.") read as empty.
 */
import { join } from 'node:path';

import type { HardwareInfo } from '../../protocol/callback-inventory.js';
import { readValue } from '../connector-id/fingerprint-reader.js';
import { truncate } from '../sample-limits.js';
import { readPciAdapters } from './pci-adapters.js';
import { detectVirtualization } from './virtualization.js';

const dayMillis = 86_400_000;

/** Where the files are; tests point these at a made-up tree. */
export interface HardwareSources {
  sysRoot: string;
  procRoot: string;
}

const linuxSources: HardwareSources = { sysRoot: '/sys', procRoot: '/proc' };

/** This machine's hardware facts; `nowMillis` dates the BIOS age. */
export async function readHardwareInfo(
  nowMillis: number,
  sources: HardwareSources = linuxSources,
): Promise<HardwareInfo> {
  // Not yet: Windows and macOS (WMI Win32_ComputerSystem, system_profiler) are not read.
  const dmi = async (name: string) =>
    truncate(await readValue(join(sources.sysRoot, 'class/dmi/id', name)));
  const [manufacturer, model, serial, biosDateText, adapters] = await Promise.all([
    dmi('sys_vendor'),
    dmi('product_name'),
    dmi('product_serial'),
    dmi('bios_date'),
    readPciAdapters(sources.sysRoot),
  ]);
  const virtualization = await detectVirtualization(sources.procRoot, `${manufacturer} ${model}`);
  const biosDate = parseBiosDate(biosDateText);
  const ageDays = biosDate ? Math.floor((nowMillis - Date.parse(biosDate)) / dayMillis) : null;

  return {
    manufacturer,
    model,
    serial,
    biosDate,
    // A clock behind the firmware's date would give a negative age; that says nothing.
    biosAgeDays: ageDays !== null && ageDays >= 0 ? ageDays : null,
    ...virtualization,
    ...adapters,
  };
}

/** DMI writes the BIOS date as MM/DD/YYYY; returns YYYY-MM-DD or null. */
export function parseBiosDate(text: string): string | null {
  const match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  if (!match) return null;
  const [, month, day, year] = match;
  const iso = `${year}-${month!.padStart(2, '0')}-${day!.padStart(2, '0')}`;
  return Number.isNaN(Date.parse(iso)) ? null : iso;
}
