import { spawn } from 'node:child_process';

/**
 * Exit status of an agent that installed a new version and wants to be started again: 75
 * (EX_TEMPFAIL, "try again"). A systemd unit with `Restart=on-failure` starts it again.
 */
export const restartExitCode = 75;

/** True when a service manager will start the agent again after it exits. */
export function underServiceManager(env: NodeJS.ProcessEnv = process.env): boolean {
  // systemd sets INVOCATION_ID for every service it runs; other managers can say so themselves.
  return Boolean(env.INVOCATION_ID) || env.STRATA_AGENT_SUPERVISED === '1';
}

/**
 * Hands over to the bundle now in place, once the agent has stopped. Under a service manager
 * it exits with `restartExitCode` and lets the manager start the new version; run by hand it
 * starts the bundle itself, with the same Node.js flags, arguments and terminal, and exits.
 */
export function restartProcess(bundlePath: string): void {
  if (underServiceManager()) process.exit(restartExitCode);
  const args = [...process.execArgv, bundlePath, ...process.argv.slice(2)];
  const successor = spawn(process.execPath, args, { stdio: 'inherit' });
  successor.once('spawn', () => process.exit(0));
  successor.once('error', () => process.exit(restartExitCode));
}
