/**
 * Reads this machine's fingerprint (see MachineFingerprint) from the kernel's files: DMI for
 * the platform UUID and serials, /proc/cpuinfo, /sys/block for disks, /sys/class/net for
 * network cards and /sys/bus/pci for controllers. Anything unreadable (DMI serials need root;
 * some virtual machines have no DMI at all) is left out rather than guessed.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { MachineFingerprint } from '../../protocol/connector-id/machine-fingerprint.js';
import { readBootDisk, readDisks } from './block-devices.js';

/** Where the files are; tests point these at a made-up tree. */
export interface FingerprintSources {
  sysRoot: string;
  procRoot: string;
  fqdn: string;
}

// Values firmware and hypervisors write when they have nothing to say.
const placeholders = new Set([
  '',
  'none',
  '0',
  'default string',
  'not specified',
  'not applicable',
  'to be filled by o.e.m.',
  'system serial number',
  'chassis serial number',
  '00000000-0000-0000-0000-000000000000',
  '03000200-0400-0500-0006-000700080009',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
]);
// PCI class prefixes of the controllers that make up a machine: storage, network, display.
const controllerClasses = ['0x01', '0x02', '0x03'];

/** The hex digest an element's value is sent as: SHA-256 of "element:value", 32 digits. */
export function elementHash(element: string, value: string): string {
  return createHash('sha256').update(`${element}:${value}`).digest('hex').slice(0, 32);
}

export async function readFingerprint(sources: FingerprintSources): Promise<MachineFingerprint> {
  const dmi = (name: string) => readValue(join(sources.sysRoot, 'class/dmi/id', name));
  const [uuid, board, chassis, asset, serial, cpu, disks, nics, controllers] = await Promise.all([
    dmi('product_uuid'),
    dmi('board_serial'),
    dmi('chassis_serial'),
    dmi('chassis_asset_tag'),
    dmi('product_serial'),
    readCpu(sources.procRoot),
    readDisks(sources.sysRoot),
    readNics(sources.sysRoot),
    readControllers(sources.sysRoot),
  ]);
  const bootDisk = await readBootDisk(sources, disks);
  const fingerprint: MachineFingerprint = {
    disks: [...disks.values()].map((s) => elementHash('disk', s)).sort(),
    nics: nics.map((mac) => elementHash('nic', mac)).sort(),
    controllers: controllers.map((c) => elementHash('controller', c)).sort(),
  };
  const scalars = {
    platformUuid: uuid?.toLowerCase(),
    fqdn: sources.fqdn.toLowerCase(),
    cpu,
    boardSerial: board,
    chassis: chassis ?? asset,
    biosSerial: serial,
    bootDisk,
  };
  for (const [element, value] of Object.entries(scalars))
    if (value) fingerprint[element as 'fqdn'] = elementHash(element, value);
  return fingerprint;
}

export async function readValue(path: string): Promise<string | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const value = text.trim();
  return placeholders.has(value.toLowerCase()) ? undefined : value;
}

async function readCpu(procRoot: string): Promise<string | undefined> {
  const text = await readFile(join(procRoot, 'cpuinfo'), 'utf8').catch(() => '');
  const first = text.split('\n\n')[0] ?? '';
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(first)?.[1];
  const parts = ['vendor_id', 'model name', 'cpu family', 'model', 'stepping', 'CPU part']
    .map(field)
    .filter((part) => part !== undefined);
  return parts.length > 0 ? parts.join('|') : undefined;
}

/** Hardware addresses of network cards backed by a device (not bridges, tunnels or veths). */
async function readNics(sysRoot: string): Promise<string[]> {
  const names = await readdir(join(sysRoot, 'class/net')).catch(() => [] as string[]);
  const macs: string[] = [];
  for (const name of names) {
    const base = join(sysRoot, 'class/net', name);
    const hasDevice = await realpath(join(base, 'device')).then(
      () => true,
      () => false,
    );
    // 0: the address is the card's own; random or stolen addresses say nothing lasting.
    const assigned = await readValue(join(base, 'addr_assign_type'));
    const mac = await readValue(join(base, 'address'));
    if (
      hasDevice &&
      (assigned === undefined || assigned === '0') &&
      mac &&
      mac !== '00:00:00:00:00:00'
    )
      macs.push(mac.toLowerCase());
  }
  return macs;
}

async function readControllers(sysRoot: string): Promise<string[]> {
  const base = join(sysRoot, 'bus/pci/devices');
  const slots = await readdir(base).catch(() => [] as string[]);
  const found: string[] = [];
  for (const slot of slots) {
    const read = (file: string) => readValue(join(base, slot, file));
    const [cls, vendor, device] = await Promise.all([
      read('class'),
      read('vendor'),
      read('device'),
    ]);
    if (cls && controllerClasses.some((prefix) => cls.startsWith(prefix)))
      found.push(`${vendor}:${device}:${cls}`);
  }
  return found.sort();
}
