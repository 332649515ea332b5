/**
 * Who is logged on, from the utmp file that login, sshd and display managers write. Reading
 * it directly keeps long directory names whole: `who` and `w` cut them at different widths,
 * and matching their outputs (as systeminformation does) loses those sessions.
 */
import { readFile } from 'node:fs/promises';

import type { LoggedInUser } from '../protocol/callback-schema.js';
import type { AccountNamer } from './account-names.js';
import { sourceDeadlineMillis, withDeadline } from './deadline.js';
import {
  parseUtmpRecords,
  utmpRecordBytes,
  utmpType,
  type UtmpRecord,
} from './logons/utmp-records.js';
import { readProcFile } from './proc-stat.js';
import { loadSystemInformation } from './system-information.js';
import { accountMaxChars, isoOrNull, truncate } from './sample-limits.js';

/** Where glibc keeps the sessions of a running Linux system. */
export const defaultUtmpPath = '/var/run/utmp';

/** Most sessions one callback may carry, as the schema allows. */
const maxSessions = 1_000;
const noLoginUid = 4_294_967_295;

/** Logged-on sessions from `utmpPath` on Linux (none when the machine keeps no utmp file:
 * `who` would read the same file), through systeminformation elsewhere or when the file is
 * not in the expected format. */
export async function readSessions(
  namer: AccountNamer,
  utmpPath = defaultUtmpPath,
): Promise<LoggedInUser[]> {
  const utmp =
    process.platform === 'linux'
      ? await readFile(utmpPath).catch((error: NodeJS.ErrnoException) =>
          error.code === 'ENOENT' ? Buffer.alloc(0) : null,
        )
      : null;
  const sessions =
    utmp && utmp.length % utmpRecordBytes === 0
      ? await fromUtmp(utmp, namer)
      : await fromSystemInformation(namer);
  return sessions.slice(0, maxSessions);
}

async function fromUtmp(utmp: Buffer, namer: AccountNamer): Promise<LoggedInUser[]> {
  const records = parseUtmpRecords(utmp).filter(
    (record) => record.type === utmpType.userProcess && record.user,
  );
  return Promise.all(
    records.map(async (record) => ({
      account: truncate(await accountOf(record, namer), accountMaxChars),
      terminal: truncate(record.line),
      from: truncate(record.host),
      loggedInAt: record.atMillis > 0 ? isoOrNull(new Date(record.atMillis)) : null,
    })),
  );
}

// utmp holds 32 bytes of a name, and `first.last@corp.example.com` is longer. The login uid
// that PAM gives the whole session then tells whose it is.
export async function accountOf(record: UtmpRecord, namer: AccountNamer): Promise<string> {
  if (record.userIsCut && record.pid > 0) {
    const loginUid = Number((await readProcFile(`/proc/${record.pid}/loginuid`)) || NaN);
    if (Number.isInteger(loginUid) && loginUid !== noLoginUid) {
      const account = await namer.byUid(loginUid);
      if (account.toLowerCase().startsWith(record.user.toLowerCase())) return account;
    }
  }
  return namer.byName(record.user);
}

async function fromSystemInformation(namer: AccountNamer): Promise<LoggedInUser[]> {
  const si = await loadSystemInformation();
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
