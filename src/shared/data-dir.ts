import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { ConfigError } from './errors.js';

// File-system refusals that mean "this folder cannot be used", as opposed to a bug.
const unusableCodes = new Set([
  'EACCES',
  'EPERM',
  'ENOTDIR',
  'EROFS',
  'EEXIST',
  'ENOSPC',
  'ENOENT',
]);

/** Creates a data folder (mode 0700) or says plainly why it cannot be used. */
export async function ensureDataDir(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true, mode: 0o700 });
    // A folder that exists on a read-only disk, or that belongs to someone else, fails here
    // with a clear message instead of at the first file written inside it.
    await access(path, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!unusableCodes.has(code)) throw error;
    throw new ConfigError(
      `cannot use the data folder ${path} (${code}); fix its permissions or choose another ` +
        'with --data-dir',
    );
  }
}
