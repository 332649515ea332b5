/**
 * A machine's fingerprint: one hash per hardware or platform element, as the agent reads them.
 * Each value is the hex SHA-256 (first 32 digits) of "element:value", so serial numbers never
 * leave the machine in clear; an element the machine does not have, or that reads as a
 * placeholder ("None", "To be filled by O.E.M."), is left out.
 */
export interface MachineFingerprint {
  /** SMBIOS system UUID; hypervisors set it per virtual machine, clones may share it. */
  platformUuid?: string;
  fqdn?: string;
  /** CPU vendor, model and signature (family, model, stepping). */
  cpu?: string;
  boardSerial?: string;
  /** Chassis serial or asset tag. */
  chassis?: string;
  /** SMBIOS system serial number, the one firmware reports for the machine. */
  biosSerial?: string;
  /** Serial or WWN of the disk the root file system lives on. */
  bootDisk?: string;
  /** Serial or WWN of every disk. */
  disks: string[];
  /** Permanent addresses of the physical network cards. */
  nics: string[];
  /** PCI vendor:device:class of the storage, display and network controllers. */
  controllers: string[];
}

export const scalarElements = [
  'platformUuid',
  'fqdn',
  'cpu',
  'boardSerial',
  'chassis',
  'biosSerial',
  'bootDisk',
] as const;
export const listElements = ['disks', 'nics', 'controllers'] as const;
export type FingerprintElement = (typeof scalarElements)[number] | (typeof listElements)[number];

const hashPattern = /^[0-9a-f]{32}$/;
/** Most hashes a list element may hold: a machine has fewer disks and cards than this. */
export const maxListHashes = 64;

/** Checks a fingerprint from the wire; returns it clean, or a problem to refuse it with. */
export function checkFingerprint(value: unknown): MachineFingerprint | string {
  if (typeof value !== 'object' || value === null) return 'the fingerprint is not an object';
  const input = value as Record<string, unknown>;
  const clean: MachineFingerprint = { disks: [], nics: [], controllers: [] };
  for (const element of scalarElements) {
    const hash = input[element];
    if (hash === undefined) continue;
    if (typeof hash !== 'string' || !hashPattern.test(hash)) return `${element} is not a hash`;
    clean[element] = hash;
  }
  for (const element of listElements) {
    const hashes = input[element] ?? [];
    if (!Array.isArray(hashes) || hashes.length > maxListHashes)
      return `${element} is not a list of at most ${maxListHashes} hashes`;
    if (!hashes.every((hash) => typeof hash === 'string' && hashPattern.test(hash)))
      return `${element} holds something other than hashes`;
    clean[element] = [...new Set(hashes as string[])].sort();
  }
  if (scalarElements.every((e) => clean[e] === undefined) && clean.nics.length === 0)
    return 'the fingerprint has no element a machine can be told apart by';
  return clean;
}
