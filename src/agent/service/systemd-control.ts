/**
 * Talking to systemd: whether it runs this machine, and systemctl, live or on a folder that
 * will become a machine's root (`systemctl --root`, which only links and unlinks units).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Longest wait for one systemctl call: 60 s (a stop waits for the agent's own 30 s). */
const systemctlTimeoutMillis = 60_000;

export type SystemctlResult =
  { status: 'done' } | { status: 'missing' } | { status: 'failed'; message: string };

/** True when systemd is this machine's init, the test sd_booted(3) makes. */
export function systemdRuns(): boolean {
  return existsSync('/run/systemd/system');
}

/** The name of process 1 (`systemd`, or in a container often a shell or a supervisor). */
export function initProcessName(): string {
  try {
    return readFileSync('/proc/1/comm', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** Runs systemctl with `args`; a missing systemctl or a refusal is a value, not an error. */
export async function systemctl(args: string[]): Promise<SystemctlResult> {
  try {
    await run('systemctl', args, { timeout: systemctlTimeoutMillis });
    return { status: 'done' };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') return { status: 'missing' };
    const message = failure.stderr?.trim() || failure.message;
    return { status: 'failed', message };
  }
}
