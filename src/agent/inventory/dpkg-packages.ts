/**
 * Installed packages from dpkg's own database: names, versions and architectures from
 * /var/lib/dpkg/status, and install dates from the mtime of each package's file list in
 * /var/lib/dpkg/info, which dpkg rewrites on every install or upgrade of that package.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { InstalledPackage } from '../../protocol/callback-inventory.js';
import { mapInBatches } from '../proc-stat.js';
import { isoOrNull, truncate } from '../sample-limits.js';
import type { PackageSource } from './package-source.js';

const defaultDpkgRoot = '/var/lib/dpkg';
const architectureMaxChars = 32;

/** dpkg's database under `root` (default /var/lib/dpkg). */
export function dpkgSource(root = defaultDpkgRoot): PackageSource {
  const statusPath = join(root, 'status');
  return {
    name: 'dpkg',
    changeMark: () =>
      stat(statusPath).then(
        (info) => `${info.mtimeMs}:${info.size}`,
        () => null,
      ),
    read: async () => {
      const text = await readFile(statusPath, 'utf8');
      const installed = parseDpkgStatus(text);
      const packages = await mapInBatches(installed, async (p) => ({
        ...p,
        installedAt: await installDate(root, p.name, p.architecture),
      }));
      return packages;
    },
  };
}

/** The installed packages of a dpkg status file, without dates. */
export function parseDpkgStatus(text: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(stanza)?.[1]?.trim();
    // Removed packages whose configuration is kept (`deinstall ok config-files`) are not
    // installed; half-installed ones are, as `dpkg -l` lists them.
    const status = field('Status') ?? '';
    const name = field('Package');
    if (!name || !/ (installed|half-configured|unpacked|triggers-\w+)$/.test(status)) continue;
    packages.push({
      name: truncate(name),
      version: truncate(field('Version') ?? ''),
      architecture: truncate(field('Architecture') ?? '', architectureMaxChars),
      installedAt: null,
    });
  }
  return packages;
}

// Packages that can be installed for several architectures keep `name:arch.list`.
async function installDate(root: string, name: string, arch: string): Promise<string | null> {
  for (const file of [`${name}:${arch}.list`, `${name}.list`]) {
    const info = await stat(join(root, 'info', file)).catch(() => null);
    if (info) return isoOrNull(info.mtime);
  }
  return null;
}
