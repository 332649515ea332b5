/**
 * A platform's package database behind one small interface, so that dpkg, rpm and later
 * Windows' uninstall keys or macOS receipts each stay in their own module; and the one order
 * and hash every source's list is compared by.
 */
import { createHash } from 'node:crypto';

import type { InstalledPackage } from '../../protocol/callback-inventory.js';
import { dpkgSource } from './dpkg-packages.js';
import { rpmSource } from './rpm-packages.js';

export interface PackageSource {
  /** `dpkg` or `rpm`, as the callback names the source. */
  name: string;
  /** A value that changes whenever the database does (a file's mtime); null when absent. */
  changeMark(): Promise<string | null>;
  /** Every installed package, in any order. */
  read(): Promise<InstalledPackage[]>;
}

/** The first source whose database exists here, dpkg before rpm; null when neither does. */
export async function findPackageSource(
  candidates: PackageSource[] = [dpkgSource(), rpmSource()],
): Promise<PackageSource | null> {
  // Not yet: Windows (uninstall registry keys) and macOS (pkgutil receipts) have no source.
  for (const source of candidates) {
    if ((await source.changeMark()) !== null) return source;
  }
  return null;
}

/** Sorts packages in place by name, then architecture, then version, as the hash expects. */
export function sortPackages(packages: InstalledPackage[]): InstalledPackage[] {
  const key = (p: InstalledPackage) => `${p.name}\u0000${p.architecture}\u0000${p.version}`;
  return packages.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** SHA-256 (hex) of a sorted list; install dates count, so a reinstall is a change. */
export function packagesHash(packages: InstalledPackage[]): string {
  const hash = createHash('sha256');
  for (const p of packages) {
    hash.update(`${p.name}\t${p.version}\t${p.architecture}\t${p.installedAt ?? ''}\n`);
  }
  return hash.digest('hex');
}
