/**
 * The software part of a callback: the OS patch level, the package count and hash always, and
 * the whole package list only when its hash differs from the last one this agent spooled. The
 * database is re-read only when its change mark moves, so a quiet machine costs one stat.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { release, version } from 'node:os';

import type { InstalledPackage, SoftwareInventory } from '../../protocol/callback-inventory.js';
import { truncate } from '../sample-limits.js';
import {
  findPackageSource,
  packagesHash,
  sortPackages,
  type PackageSource,
} from './package-source.js';

/** Files that name a distribution's point release, finer than os-release's VERSION_ID. */
const pointReleasePaths = ['/etc/debian_version', '/etc/redhat-release', '/etc/SuSE-release'];

/** Remembers what was read and sent; `statePath` keeps the sent hash across restarts. */
export class SoftwareTracker {
  #cached: { mark: string; packages: InstalledPackage[]; hash: string } | null = null;
  #sentHash: string | null = null;
  #loaded = false;

  constructor(
    private readonly statePath: string | null,
    private readonly source: () => Promise<PackageSource | null> = () => findPackageSource(),
  ) {}

  /** The inventory for the next callback; packages only when they changed since last sent. */
  async inventory(): Promise<SoftwareInventory> {
    await this.#loadSentHash();
    const source = await this.source();
    const mark = source ? await source.changeMark() : null;
    if (source && mark !== null && mark !== this.#cached?.mark) {
      const packages = sortPackages(await source.read());
      this.#cached = { mark, packages, hash: packagesHash(packages) };
    }
    const cached = source ? this.#cached : null;
    const inventory: SoftwareInventory = {
      source: source?.name ?? '',
      patchLevel: await readPatchLevel(),
      packageCount: cached?.packages.length ?? 0,
      packagesHash: cached?.hash ?? '',
    };
    if (cached && cached.hash !== this.#sentHash) inventory.packages = cached.packages;
    return inventory;
  }

  /** Records that `inventory` is safely spooled, so its list is not sent again. */
  async markSent(inventory: SoftwareInventory | undefined): Promise<void> {
    if (!inventory?.packages) return;
    this.#sentHash = inventory.packagesHash;
    // A lost state file only means one more full list after a restart.
    if (this.statePath) await writeFile(this.statePath, `${this.#sentHash}\n`).catch(() => {});
  }

  async #loadSentHash(): Promise<void> {
    if (this.#loaded) return;
    this.#loaded = true;
    if (!this.statePath) return;
    const text = await readFile(this.statePath, 'utf8').catch(() => '');
    this.#sentHash = text.trim() || null;
  }
}

/** The distribution's point release and the running kernel's build, `12.11; #1 SMP ...`. */
async function readPatchLevel(): Promise<string> {
  let point = '';
  for (const path of pointReleasePaths) {
    point ||= (await readFile(path, 'utf8').catch(() => '')).split('\n')[0]!.trim();
  }
  return truncate([point, `${release()} ${version()}`].filter(Boolean).join('; '));
}
