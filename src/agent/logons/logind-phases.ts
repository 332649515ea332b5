/**
 * The phases of a Linux logon that systemd-logind and /proc expose, for a session still
 * running: authentication (the session leader starting, i.e. sshd accepting the connection or
 * login(1) asking for a password, until PAM opened the session and logind registered it) and
 * session start (logind registering it until the login program wrote its utmp record).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { LogonPhase } from '../../protocol/callback-activity.js';
import { ticksPerSecond } from '../proc-stat.js';
import type { UtmpRecord } from './utmp-records.js';

const defaultSessionsDir = '/run/systemd/sessions';
/** A logind session this far from the utmp record belongs to some other logon. */
const matchWindowMillis = 60_000;
/** A phase longer than a day is a clock step, not a logon. */
const phaseMaxMillis = 86_400_000;

/** Where the files are; tests point these at a made-up tree. */
export interface PhaseSources {
  sessionsDir: string;
  procRoot: string;
  bootedAtMillis: number | null;
}

/** The phases of `logon`, or [] when its logind session or leader is gone. */
export async function readLogonPhases(
  logon: UtmpRecord,
  sources: Partial<PhaseSources> = {},
): Promise<LogonPhase[]> {
  const sessionsDir = sources.sessionsDir ?? defaultSessionsDir;
  // Not yet: shell_ready (the session's first shell or desktop process) is not measured, and
  // the journal's sshd and gdm lines, which would split authentication further, are not read.
  const names = await readdir(sessionsDir).catch(() => [] as string[]);
  for (const name of names) {
    const text = await readFile(join(sessionsDir, name), 'utf8').catch(() => '');
    const field = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1] ?? '';
    const registeredMillis = Number(field('REALTIME')) / 1_000;
    const place = field('TTY') || field('DISPLAY');
    if (place !== logon.line || !(registeredMillis > 0)) continue;
    if (Math.abs(logon.atMillis - registeredMillis) > matchWindowMillis) continue;

    const phases: LogonPhase[] = [];
    const leaderStart = await processStartMillis(Number(field('LEADER')), sources);
    if (leaderStart !== null) push(phases, 'authentication', registeredMillis - leaderStart);
    push(phases, 'session_start', logon.atMillis - registeredMillis);
    return phases;
  }
  return [];
}

function push(phases: LogonPhase[], phase: LogonPhase['phase'], millis: number): void {
  if (millis >= 0 && millis <= phaseMaxMillis) phases.push({ phase, millis: Math.round(millis) });
}

async function processStartMillis(
  pid: number,
  sources: Partial<PhaseSources>,
): Promise<number | null> {
  const bootedAtMillis = sources.bootedAtMillis ?? null;
  if (!(pid > 0) || bootedAtMillis === null) return null;
  const procRoot = sources.procRoot ?? '/proc';
  const stat = await readFile(join(procRoot, String(pid), 'stat'), 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTicks = Number(fields[19]);
  return Number.isFinite(startTicks)
    ? bootedAtMillis + (startTicks * 1_000) / ticksPerSecond
    : null;
}
