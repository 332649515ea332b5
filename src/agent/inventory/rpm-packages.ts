/**
 * Installed packages from the rpm database, through `rpm -qa`: its format has changed across
 * releases (Berkeley DB, NDB, SQLite), and the rpm command reads them all. Install dates are
 * the database's own INSTALLTIME.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';

import type { InstalledPackage } from '../../protocol/callback-inventory.js';
import { isoOrNull, truncate } from '../sample-limits.js';
import type { PackageSource } from './package-source.js';

/** Where rpm keeps its database, newest layout first. */
const databasePaths = ['/var/lib/rpm/rpmdb.sqlite', '/var/lib/rpm/Packages', '/var/lib/rpm'];
const queryFormat = '%{NAME}\\t%{VERSION}-%{RELEASE}\\t%{ARCH}\\t%{INSTALLTIME}\\n';
/** rpm -qa takes a few seconds on a large database; past this the list is left out. */
const rpmTimeoutMillis = 30_000;
const outputMaxBytes = 64 * 1024 * 1024;

export function rpmSource(): PackageSource {
  return {
    name: 'rpm',
    changeMark: async () => {
      for (const path of databasePaths) {
        const info = await stat(path).catch(() => null);
        if (info) return `${info.mtimeMs}:${info.size}`;
      }
      return null;
    },
    read: () =>
      new Promise((resolve, reject) => {
        const args = ['-qa', '--queryformat', queryFormat];
        const options = { timeout: rpmTimeoutMillis, maxBuffer: outputMaxBytes };
        execFile('rpm', args, options, (error, stdout) => {
          if (error) reject(error);
          else resolve(parseRpmQuery(stdout));
        });
      }),
  };
}

/** Packages from `rpm -qa` output in `queryFormat`. */
export function parseRpmQuery(text: string): InstalledPackage[] {
  return text
    .split('\n')
    .filter((line) => line.includes('\t'))
    .map((line) => {
      const [name = '', version = '', arch = '', installed = ''] = line.split('\t');
      const seconds = Number(installed);
      return {
        name: truncate(name),
        version: truncate(version),
        // rpm prints `(none)` for packages without one, such as gpg-pubkey.
        architecture: arch === '(none)' ? '' : truncate(arch, 32),
        installedAt: seconds > 0 ? isoOrNull(new Date(seconds * 1_000)) : null,
      };
    });
}
