import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { syncFolder, writeFileDurably } from '../../shared/atomic-file.js';

/** Starts a new version may take without staying up before it is rolled back: 3. */
export const maxStartAttempts = 3;

/** Where a swap keeps its state: the `updates` folder in the agent's data folder. */
export function updatesDir(dataDir: string): string {
  return join(dataDir, 'updates');
}

/** Written before a new bundle replaces the running one; removed once the new one has run. */
export interface PendingUpdate {
  version: string;
  /** SHA-256 of the new bundle, hex: tells whether the swap happened. */
  sha256: string;
  previousVersion: string;
  bundlePath: string;
  previousPath: string;
  /** How often the new version has started without being confirmed. */
  startAttempts: number;
}

/** The copy of the replaced bundle that a rollback restores. */
export function previousBundlePath(bundlePath: string): string {
  return `${bundlePath}.previous`;
}

/** Where a new bundle waits, beside the running one, until it is checked and swapped in. */
export function stagedBundlePath(bundlePath: string): string {
  // Still `.mjs`, so that Node.js loads it as a module when it is tried out.
  return bundlePath.replace(/(\.mjs)?$/, '.next.mjs');
}

/** Tries a staged bundle; resolves null when it may go in, else why not. */
export type StagedCheck = (stagedPath: string) => Promise<string | null>;

export type Installation =
  { status: 'installed'; pending: PendingUpdate } | { status: 'check_failed'; detail: string };

/**
 * Puts a verified bundle in place of the running one. Order matters for a crash at any point:
 * (1) the new bundle is written beside the running one (`<name>.next.mjs`) and fsynced, and
 * `check` tries it; (2) the running bundle is copied to `<bundle>.previous`; (3) the pending
 * record is written; (4) the new bundle is renamed over the running one. Every step is fsynced
 * with its folder, so after a power loss the bundle is whole, old or new.
 */
export async function installBundle(options: {
  dataDir: string;
  bundlePath: string;
  bundle: Buffer;
  version: string;
  runningVersion: string;
  check?: StagedCheck;
}): Promise<Installation> {
  const { bundlePath } = options;
  const { mode } = await stat(bundlePath);
  const stagedPath = stagedBundlePath(bundlePath);
  await writeFileDurably(stagedPath, options.bundle, mode & 0o777);
  const problem = (await options.check?.(stagedPath)) ?? null;
  if (problem !== null) {
    await rm(stagedPath, { force: true });
    return { status: 'check_failed', detail: problem };
  }

  const previousPath = previousBundlePath(bundlePath);
  await writeFileDurably(previousPath, await readFile(bundlePath), mode & 0o777);
  const pending: PendingUpdate = {
    version: options.version,
    sha256: createHash('sha256').update(options.bundle).digest('hex'),
    previousVersion: options.runningVersion,
    bundlePath,
    previousPath,
    startAttempts: 0,
  };
  await savePending(options.dataDir, pending);
  await rename(stagedPath, bundlePath);
  await syncFolder(dirname(bundlePath));
  return { status: 'installed', pending };
}

/** Puts the previous bundle back and remembers the version that failed, so it is not retried. */
export async function rollBack(dataDir: string, pending: PendingUpdate): Promise<void> {
  const { mode } = await stat(pending.previousPath);
  await writeFileDurably(pending.bundlePath, await readFile(pending.previousPath), mode & 0o777);
  await markFailed(dataDir, pending.version);
  await clearPending(dataDir);
}

/** Remembers a version that must not be installed again. */
export async function markFailed(dataDir: string, version: string): Promise<void> {
  const failed = await failedVersions(dataDir);
  failed.add(version);
  await mkdir(updatesDir(dataDir), { recursive: true, mode: 0o700 });
  await writeFileDurably(join(updatesDir(dataDir), failedFile), JSON.stringify([...failed]));
}

/** SHA-256 of the file at `path`, hex; null when it cannot be read. */
export async function fileSha256(path: string): Promise<string | null> {
  const bytes = await readFile(path).catch(() => null);
  return bytes && createHash('sha256').update(bytes).digest('hex');
}

/** Versions that were installed and rolled back: never offered to install again. */
export async function failedVersions(dataDir: string): Promise<Set<string>> {
  const text = await readFile(join(updatesDir(dataDir), failedFile), 'utf8').catch(() => '[]');
  return new Set(JSON.parse(text) as string[]);
}

export async function loadPending(dataDir: string): Promise<PendingUpdate | null> {
  const text = await readFile(join(updatesDir(dataDir), pendingFile), 'utf8').catch(() => null);
  return text ? (JSON.parse(text) as PendingUpdate) : null;
}

export async function savePending(dataDir: string, pending: PendingUpdate): Promise<void> {
  await mkdir(updatesDir(dataDir), { recursive: true, mode: 0o700 });
  await writeFileDurably(join(updatesDir(dataDir), pendingFile), JSON.stringify(pending));
}

export async function clearPending(dataDir: string): Promise<void> {
  await rm(join(updatesDir(dataDir), pendingFile), { force: true });
  await syncFolder(updatesDir(dataDir)).catch(() => undefined);
}

const pendingFile = 'pending.json';
const failedFile = 'failed-versions.json';
