import { execFile } from 'node:child_process';

/** Longest a new bundle may take to print its version: 30 s (a cold start on a slow disk). */
export const selfCheckTimeoutMillis = 30_000;

/**
 * Tries a new bundle before it replaces the running one: runs `node <bundle> --version` with
 * this process's Node.js flags and expects exit status 0 and exactly the version its signed
 * manifest names. A bundle that cannot load (a syntax error, a module missing) or that calls
 * itself another version never goes in. Resolves null when it passed, else why not.
 */
export function selfCheck(stagedPath: string, version: string): Promise<string | null> {
  const args = [...process.execArgv, stagedPath, '--version'];
  const env = { ...process.env, STRATA_LOG_LEVEL: 'silent' };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { env, timeout: selfCheckTimeoutMillis, maxBuffer: 64 * 1024 },
      (error, stdout) => {
        if (error) resolve(`it did not start: ${error.message.split('\n')[0]}`);
        else if (stdout.trim() !== version) {
          resolve(`it reports version ${JSON.stringify(stdout.trim().slice(0, 64))}`);
        } else resolve(null);
      },
    );
  });
}
