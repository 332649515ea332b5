import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { AccountNamer } from '../account-names.js';
import { LogonTracker } from './logon-tracker.js';
import { utmpRecordBytes, utmpType } from './utmp-records.js';

const t0 = Date.parse('2026-11-30T08:00:00Z');
const minute = 60_000;

/** One glibc utmp record, laid out as login, sshd and `last` expect it. */
function record(type: number, line: string, user: string, host: string, atMillis: number) {
  const bytes = Buffer.alloc(utmpRecordBytes);
  bytes.writeInt16LE(type, 0);
  bytes.writeInt32LE(1_000, 4);
  bytes.write(line, 8, 32);
  bytes.write(user, 44, 32);
  bytes.write(host, 76, 256);
  bytes.writeUInt32LE(Math.floor(atMillis / 1_000), 340);
  return bytes;
}

const namer: AccountNamer = {
  byName: async (name) => `${name}@desk1`,
  byUid: async (uid) => `${uid}@desk1`,
};

describe('logons from wtmp', () => {
  let dir: string;
  let wtmp: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-wtmp-'));
    wtmp = join(dir, 'wtmp');
    await writeFile(
      wtmp,
      Buffer.concat([
        record(utmpType.bootTime, '~', 'reboot', '6.1.0', t0),
        record(utmpType.userProcess, 'pts/0', 'alice', '10.0.0.7', t0 + 5 * minute),
        record(utmpType.userProcess, 'tty1', 'bob', '', t0 + 6 * minute),
        record(utmpType.deadProcess, 'pts/0', '', '', t0 + 50 * minute),
      ]),
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('pairs each logoff with its logon and says how long the session lasted', async () => {
    const tracker = new LogonTracker(join(dir, 'position.json'), wtmp);
    const events = await tracker.read(namer, null);
    assert.deepEqual(
      events.map((e) => [e.event, e.account, e.terminal, e.from, e.at, e.sessionMillis]),
      [
        ['logon', 'alice@desk1', 'pts/0', '10.0.0.7', '2026-11-30T08:05:00.000Z', null],
        ['logon', 'bob@desk1', 'tty1', '', '2026-11-30T08:06:00.000Z', null],
        ['logoff', 'alice@desk1', 'pts/0', '10.0.0.7', '2026-11-30T08:50:00.000Z', 45 * minute],
      ],
    );
  });

  test('agrees with last(1) about who was on and for how long', { skip: !hasLast() }, () => {
    const text = execFileSync('last', ['-f', wtmp, '-F', '-w'], {
      encoding: 'utf8',
      env: { ...process.env, TZ: 'UTC' },
    });
    assert.match(text, /^alice\s+pts\/0\s+10\.0\.0\.7 .*\(00:45\)$/m);
    // last(1) says "gone" once the session's process has ended, as it has for a made-up one.
    assert.match(text, /^bob\s+tty1\s+.*(still logged in|gone - no logout)/m);
  });

  test('reads only what was added after the last spooled callback, across restarts', async () => {
    const position = join(dir, 'position.json');
    const first = new LogonTracker(position, wtmp);
    await first.read(namer, null);
    await first.markSent(true);
    await appendFile(wtmp, record(utmpType.bootTime, '~', 'reboot', '6.1.0', t0 + 90 * minute));

    const restarted = new LogonTracker(position, wtmp);
    const events = await restarted.read(namer, null);
    // The boot ends bob's session, still open in the saved position.
    assert.deepEqual(
      events.map((e) => [e.event, e.account, e.sessionMillis]),
      [['logoff', 'bob@desk1', 84 * minute]],
    );
    assert.equal((await restarted.read(namer, null)).length, 1, 'not spooled, so offered again');
  });

  test('leaves the list empty when wtmp is missing', async () => {
    const tracker = new LogonTracker(null, join(dir, 'absent'));
    assert.deepEqual(await tracker.read(namer, null), []);
  });
});

function hasLast(): boolean {
  try {
    execFileSync('last', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
