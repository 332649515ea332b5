import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import type { UtmpRecord } from './utmp-records.js';
import { localName, readAdministrators } from './administrators.js';
import { readLogonPhases } from './logind-phases.js';

test('administrators are root and members of sudo, wheel or admin', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'strata-admins-'));
  const groupPath = join(dir, 'group');
  const passwdPath = join(dir, 'passwd');
  await writeFile(groupPath, 'root:x:0:\nsudo:x:27:alice,carol\nwheel:x:10:\nusers:x:100:bob\n');
  await writeFile(
    passwdPath,
    'root:x:0:0::/root:/bin/bash\nalice:x:1000:100::/home/alice:/bin/bash\n' +
      'bob:x:1001:100::/home/bob:/bin/bash\ndave:x:1002:10::/home/dave:/bin/bash\n',
  );
  const admins = await readAdministrators({ groupPath, passwdPath });
  assert.deepEqual([...admins].sort(), ['alice', 'carol', 'dave', 'root']);
  assert.equal(localName('alice@CORP.EXAMPLE'), 'alice');
  await rm(dir, { recursive: true, force: true });
});

test('administrators on this machine match getent group', async () => {
  const admins = await readAdministrators();
  for (const group of ['sudo', 'wheel', 'admin']) {
    let line = '';
    try {
      line = execFileSync('getent', ['group', group], { encoding: 'utf8' }).trim();
    } catch {
      continue; // No such group here.
    }
    for (const member of (line.split(':')[3] ?? '').split(',').filter(Boolean)) {
      assert.ok(admins.has(member), `${member} of ${group}`);
    }
  }
  assert.ok(admins.has('root'));
});

test('logon phases come from the logind session and its leader', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'strata-logind-'));
  await writeFile(
    join(dir, '3'),
    'UID=1000\nUSER=alice\nLEADER=4242\nTTY=pts/0\nREALTIME=1764489902500000\n',
  );
  const bootedAtMillis = 1_764_489_000_000;
  // Started 900 s after boot (90,000 ticks): 2.5 s before logind registered the session.
  await mkdir(join(dir, 'proc/4242'), { recursive: true });
  await writeFile(join(dir, 'proc/4242/stat'), `4242 (sshd) S ${'0 '.repeat(18)}90000 0 0`);
  const logon = { line: 'pts/0', atMillis: 1_764_489_903_000 } as UtmpRecord;
  const phases = await readLogonPhases(logon, {
    sessionsDir: dir,
    procRoot: join(dir, 'proc'),
    bootedAtMillis,
  });
  assert.deepEqual(phases, [
    { phase: 'authentication', millis: 2_500 },
    { phase: 'session_start', millis: 500 },
  ]);
  await rm(dir, { recursive: true, force: true });
});
