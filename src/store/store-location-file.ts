import { readFileSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../shared/errors.js';

/**
 * Where a hub's store lives once `strata admin store move` has moved it to PostgreSQL: a file
 * in the hub's data folder, read when no flag, variable or config file names a database.
 * Removing the file goes back to the embedded store as it was when the move was made.
 */
export const storeLocationFile = 'store-location.json';

export interface MovedStore {
  databaseUrl: string;
  movedAt: string;
  /** The embedded store the data came from, left in place. */
  embeddedDir: string;
}

/** The database URL recorded in the hub folder, or undefined when there is none. */
export function readMovedStore(hubDir: string): MovedStore | undefined {
  const path = join(hubDir, storeLocationFile);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as MovedStore;
    if (typeof parsed.databaseUrl !== 'string') throw new Error('no databaseUrl');
    return parsed;
  } catch (error) {
    throw new ConfigError(
      `${path} is damaged (${(error as Error).message}); fix it or remove it to use the ` +
        'embedded store',
    );
  }
}

/** Records the new location; readable by the hub's user only, as the URL may hold a password. */
export async function writeMovedStore(hubDir: string, moved: MovedStore): Promise<string> {
  const path = join(hubDir, storeLocationFile);
  await writeFile(path, `${JSON.stringify(moved, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  return path;
}
