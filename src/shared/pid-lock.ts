import { readFile, rm, writeFile } from 'node:fs/promises';
import { ConfigError } from './errors.js';

/**
 * Takes a lock file holding this process id, so two processes never open one embedded store.
 * A lock left by a process that no longer runs (a crash, kill -9) is taken over.
 */
export async function takePidLock(path: string, what: string): Promise<() => Promise<void>> {
  try {
    await writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (holder && holder !== process.pid && isRunning(holder)) {
      throw new ConfigError(
        `${what} is in use by process ${holder}; stop it first, or give this one its own ` +
          'data folder with --data-dir',
      );
    }
    await writeFile(path, `${process.pid}\n`, { mode: 0o600 });
  }
  return async () => {
    await rm(path, { force: true });
  };
}

/** The pid in a lock file when that process still runs, otherwise null. */
export async function lockHolder(path: string): Promise<number | null> {
  const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  return holder && isRunning(holder) ? holder : null;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
