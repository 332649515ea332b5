import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { createAccountNamer } from './account-names.js';
import { readSessions } from './session-list.js';

// utmpdump (util-linux) writes a real utmp file from this text: a local console session,
// a remote session of a winbind directory account, and a session that has ended.
const userProcess = 7;
const deadProcess = 8;
const utmpText = [
  utmpLine(userProcess, 'root', 'tty7', ':0', '2026-12-03T09:00:00'),
  utmpLine(userProcess, 'CORP\\jdoe', 'pts/0', '203.0.113.7', '2026-12-03T10:15:30'),
  utmpLine(deadProcess, 'root', 'pts/1', '', '2026-12-03T08:00:00'),
].join('\n');

function utmpLine(type: number, user: string, line: string, host: string, time: string) {
  const id = line.slice(-4);
  return `[${type}] [00000] [${id}] [${user}] [${line}] [${host}] [0.0.0.0] [${time},000000+00:00]`;
}

let folder: string;
let utmpPath: string;

before(async () => {
  folder = await mkdtemp(join(tmpdir(), 'strata-sessions-'));
  utmpPath = join(folder, 'utmp');
  await writeFile(
    utmpPath,
    execFileSync('utmpdump', ['--reverse'], { input: utmpText, stdio: ['pipe', 'pipe', 'ignore'] }),
  );
});

after(async () => {
  await rm(folder, { recursive: true, force: true });
});

test('readSessions lists live utmp sessions with fully-qualified accounts', async () => {
  const namer = await createAccountNamer('desk-17', 'corp.example');

  const sessions = await readSessions(namer, utmpPath);

  assert.deepEqual(sessions, [
    {
      account: 'root@desk-17',
      terminal: 'tty7',
      from: ':0',
      loggedInAt: '2026-12-03T09:00:00.000Z',
    },
    {
      account: 'jdoe@CORP',
      terminal: 'pts/0',
      from: '203.0.113.7',
      loggedInAt: '2026-12-03T10:15:30.000Z',
    },
  ]);
});

test('readSessions finds nobody where the machine keeps no utmp file', async () => {
  const namer = await createAccountNamer('desk-17', 'corp.example');

  const sessions = await readSessions(namer, join(folder, 'no-utmp-here'));

  assert.deepEqual(sessions, []);
  // `who` would read the same missing file; the library that runs it stays unloaded.
  const loaded = Object.keys(createRequire(import.meta.url).cache);
  assert.ok(!loaded.some((path) => path.includes('systeminformation')), 'it was loaded');
});
