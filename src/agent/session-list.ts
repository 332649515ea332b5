/**
 * Who is logged on, from the utmp file that login, sshd and display managers write. Reading
 * it directly keeps long directory names whole: `who` and `w` cut them at different widths,
 * and matching their outputs (as systeminformation does) loses those sessions.
 */
import { readFile } from 'node:fs/promises';

import si from 'systeminformation';

import type { LoggedInUser } from '../protocol/callback-schema.js';
import type { AccountNamer } from './account-names.js';
import { sourceDeadlineMillis, withDeadline } from './deadline.js';
import { readProcFile } from './proc-stat.js';
import { accountMaxChars, isoOrNull, truncate } from './sample-limits.js';

/** Where glibc keeps the sessions of a running Linux system. */
export const defaultUtmpPath = '/var/run/utmp';

/** Most sessions one callback may carry, as the schema allows. */
const maxSessions = 1_000;
// glibc's `struct utmp`, the same on 64- and 32-bit Linux.
const recordBytes = 384;
const userProcessType = 7;
const offsets = { type: 0, pid: 4, seconds: 340 };
const lineField = { start: 8, bytes: 32 };
const userField = { start: 44, bytes: 32 };
const hostField = { start: 76, bytes: 256 };
const noLoginUid = 4_294_967_295;

/** Logged-on sessions from `utmpPath`, or through systeminformation without one. */
export async function readSessions(
  namer: AccountNamer,
  utmpPath = defaultUtmpPath,
): Promise<LoggedInUser[]> {
  const utmp = process.platform === 'linux' ? await readFile(utmpPath).catch(() => null) : null;
  const sessions =
    utmp && utmp.length % recordBytes === 0
      ? await fromUtmp(utmp, namer)
      : await fromSystemInformation(namer);
  return sessions.slice(0, maxSessions);
}

async function fromUtmp(utmp: Buffer, namer: AccountNamer): Promise<LoggedInUser[]> {
  const sessions: Promise<LoggedInUser>[] = [];
  for (let offset = 0; offset < utmp.length; offset += recordBytes) {
    const record = utmp.subarray(offset, offset + recordBytes);
    const user = text(record, userField);
    if (record.readInt16LE(offsets.type) !== userProcessType || !user) continue;

    // Unsigned, so that the 32-bit field keeps working past 2038.
    const seconds = record.readUInt32LE(offsets.seconds);
    sessions.push(
      accountOf(record, user, namer).then((account) => ({
        account: truncate(account, accountMaxChars),
        terminal: truncate(text(record, lineField)),
        from: truncate(text(record, hostField)),
        loggedInAt: seconds > 0 ? isoOrNull(new Date(seconds * 1_000)) : null,
      })),
    );
  }
  return Promise.all(sessions);
}

// utmp holds 32 bytes of a name, and `first.last@corp.example.com` is longer. The login uid
// that PAM gives the whole session then tells whose it is.
async function accountOf(record: Buffer, user: string, namer: AccountNamer): Promise<string> {
  const pid = record.readInt32LE(offsets.pid);
  const isCut = !field(record, userField).includes(0);
  if (isCut && pid > 0) {
    const loginUid = Number((await readProcFile(`/proc/${pid}/loginuid`)) || NaN);
    if (Number.isInteger(loginUid) && loginUid !== noLoginUid) {
      const account = await namer.byUid(loginUid);
      if (account.toLowerCase().startsWith(user.toLowerCase())) return account;
    }
  }
  return namer.byName(user);
}

async function fromSystemInformation(namer: AccountNamer): Promise<LoggedInUser[]> {
  const found = await withDeadline(si.users(), sourceDeadlineMillis, []);
  const sessions = found.filter((session) => session.user);
  return Promise.all(
    sessions.map(async (session) => ({
      account: truncate(await namer.byName(session.user), accountMaxChars),
      terminal: truncate(session.tty),
      from: truncate(session.ip),
      // `who` prints local time without a zone.
      loggedInAt: session.date ? isoOrNull(new Date(`${session.date}T${session.time}`)) : null,
    })),
  );
}

function field(record: Buffer, { start, bytes }: { start: number; bytes: number }): Buffer {
  return record.subarray(start, start + bytes);
}

// A name cut inside a multi-byte character would end in a replacement character.
function text(record: Buffer, where: { start: number; bytes: number }): string {
  const bytes = field(record, where);
  const end = bytes.indexOf(0);
  const value = bytes.subarray(0, end < 0 ? bytes.length : end).toString('utf8');
  return value.replace(/\uFFFD+$/, '').trim();
}
