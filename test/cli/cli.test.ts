/**
 * The `strata` command as people run it: real child processes from the sources (no build
 * needed), their exit codes and what they print, and the quick start from nothing to this
 * machine visible through the API.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, serverUrl } from '../support/test-store.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cliMain = join(repoRoot, 'src/cli/main.ts');

/** Bound on any one short command (help, admin); a hung one fails instead of blocking. */
const commandTimeoutMillis = 60_000;
/** How long the quick start may take to show this machine through the API. */
const machineVisibleWithinMillis = 60_000;
const pollIntervalMillis = 250;

// Settings from the environment would change what the commands do; the tests pass flags.
const settingVariables = [
  'DATABASE_URL',
  'STRATA_DATA_DIR',
  'STRATA_CONFIG',
  'STRATA_HOST',
  'STRATA_PORT',
  'STRATA_CALLBACK_INTERVAL',
];
const childEnv = (extra: Record<string, string> = {}) => {
  const env: Record<string, string | undefined> = { ...process.env, ...extra };
  for (const name of settingVariables) delete env[name];
  return env;
};

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `strata` process whose output is collected as it comes. */
class Cli {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly finished: Promise<Finished>;

  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, ['--import', 'tsx', cliMain, ...args], {
      cwd: repoRoot,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.finished = new Promise((resolve) =>
      this.child.on('close', (code, signal) =>
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr }),
      ),
    );
  }

  /** Resolves with the first match of `pattern` in stdout; fails if the process ends first. */
  async waitForOutput(pattern: RegExp, timeoutMillis = commandTimeoutMillis) {
    const deadline = Date.now() + timeoutMillis;
    let exited = false;
    void this.finished.then(() => (exited = true));
    for (;;) {
      const match = pattern.exec(this.stdout);
      if (match) return match;
      if (exited || Date.now() > deadline) {
        throw new Error(
          `${exited ? 'strata ended' : 'timed out'} before printing ${pattern}\n` +
            `stdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
        );
      }
      await delay(pollIntervalMillis);
    }
  }

  /** Sends SIGTERM and waits for the process to end. */
  async stop(): Promise<Finished> {
    this.child.kill('SIGTERM');
    return this.finished;
  }
}

const delay = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

/** Runs one short command to its end, killing it if it outlives the bound. */
async function runCli(args: string[]): Promise<Finished> {
  const cli = new Cli(args);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), commandTimeoutMillis);
  try {
    return await cli.finished;
  } finally {
    clearTimeout(timer);
  }
}

/** Fails with the command's output when it did not exit 0. */
function assertSucceeded(result: Finished, what: string) {
  assert.equal(result.code, 0, `${what} failed:\n${result.stdout}\n${result.stderr}`);
}

async function getJson(url: string, token: string) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

interface MachineRow {
  id: string;
  hostname: string;
  lastSeenAt: string;
}

/** Polls the machine list until `accept` says yes; fails after the bound with the last list. */
async function waitForMachines(
  hubUrl: string,
  token: string,
  accept: (machines: MachineRow[]) => boolean,
): Promise<MachineRow[]> {
  const deadline = Date.now() + machineVisibleWithinMillis;
  let machines: MachineRow[] = [];
  while (Date.now() <= deadline) {
    const { status, body } = await getJson(`${hubUrl}/api/v1/machines`, token);
    assert.equal(status, 200);
    machines = body.machines as MachineRow[];
    if (accept(machines)) return machines;
    await delay(pollIntervalMillis);
  }
  throw new Error(`the machine list did not become as expected: ${JSON.stringify(machines)}`);
}

const helpCases: Array<{ args: string[]; mentions: string[] }> = [
  { args: [], mentions: ['start', 'hub', 'agent', 'collector', 'admin', '--version'] },
  {
    args: ['start'],
    mentions: ['--data-dir', '--database-url', '--host', '--port', '--callback-interval'],
  },
  {
    args: ['hub'],
    mentions: ['--data-dir', '--database-url', '--host', '--port', '--callback-interval'],
  },
  { args: ['agent'], mentions: ['--data-dir', '--hub', '--token', '--name'] },
  { args: ['collector'], mentions: ['--role', 'callbacks', 'network', '--hub', '--token'] },
  { args: ['admin'], mentions: ['activation-token', 'token', 'password', 'status'] },
  {
    args: ['admin', 'token', 'create'],
    mentions: ['--role', 'viewer', 'administrator', '--label', '--expires-days', '--data-dir'],
  },
  {
    args: ['admin', 'activation-token', 'create'],
    mentions: ['--kind', '--uses', '--expires-hours', '--label', '--database-url'],
  },
  { args: ['admin', 'password', 'reset'], mentions: ['[name]', '--data-dir', '--database-url'] },
  { args: ['admin', 'status'], mentions: ['--data-dir', '--database-url'] },
];

describe('strata --help', () => {
  // Each help is its own process; two at a time (one per core) keeps the suite quick.
  const results = new Map<string, Promise<Finished>>();
  before(() => {
    const lanes: Array<Promise<unknown>> = [Promise.resolve(), Promise.resolve()];
    helpCases.forEach(({ args }, index) => {
      const lane = index % lanes.length;
      const result = lanes[lane]!.then(() => runCli([...args, '--help']));
      lanes[lane] = result;
      results.set(args.join(' '), result);
    });
  });

  for (const { args, mentions } of helpCases) {
    const name = ['strata', ...args].join(' ');
    it(`${name} --help exits 0 and names its options`, async () => {
      const result = await results.get(args.join(' '))!;

      assertSucceeded(result, `${name} --help`);
      assert.ok(result.stdout.startsWith(`Usage: ${name} `), result.stdout);
      for (const word of mentions) {
        assert.ok(result.stdout.includes(word), `${name} --help mentions ${word}`);
      }
    });
  }
});

describe('strata refusing bad input', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'strata-cli-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  for (const port of ['70000', 'eighty', '-1']) {
    it(`strata hub --port ${port} exits 2 and says what a port must be`, async () => {
      const result = await runCli(['hub', '--data-dir', dataDir, `--port=${port}`]);

      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /--port must be a whole number from 0 to 65535/);
      assert.ok(result.stderr.includes(`"${port}"`), result.stderr);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(existsSync(join(dataDir, 'hub')), false, 'nothing was started');
    });
  }

  it('strata agent without activation exits 2 and says how to activate', async () => {
    const result = await runCli(['agent', '--data-dir', dataDir]);

    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /not activated yet/);
    assert.match(result.stderr, /--hub <url>/);
    assert.match(result.stderr, /--token/);
    assert.match(result.stderr, /strata admin activation-token create/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });
});

describe('strata start, the quick start on the embedded store', () => {
  let dataDir: string;
  let running: Cli | null = null;
  let hubUrl: string;
  let firstPassword: string;
  let agentId: string;
  let viewerToken: string;
  let firstLastSeenAt: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'strata-start-'));
  });

  after(async () => {
    if (running?.child.exitCode === null) await running.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Starts `strata start` and reads what it prints once it is ready. */
  async function start() {
    running = new Cli(['start', '--data-dir', dataDir, '--port', '0']);
    const [, url] = await running.waitForOutput(/^Strata is running at (http:\/\/\S+)$/m);
    const [, id] = await running.waitForOutput(
      /^This machine reports as agent ([0-9a-f-]{36})\.$/m,
    );
    await running.waitForOutput(/^Press Ctrl\+C to stop\.$/m);
    return { cli: running, url: url!, agentId: id! };
  }

  it('prints the hub address on a free port, the first password and the agent', async () => {
    const started = await start();

    hubUrl = started.url;
    agentId = started.agentId;
    assert.match(hubUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(new URL(hubUrl).port, '0');
    const [, password] = await started.cli.waitForOutput(/password (\S+)/);
    firstPassword = password!;
    const passwordFile = join(dataDir, 'hub', 'initial-admin-password');
    assert.equal((await readFile(passwordFile, 'utf8')).trim(), firstPassword);
    const health = await fetch(`${hubUrl}/healthz`);
    assert.equal(health.status, 200);
  });

  it('issues a viewer token through the running hub; it sees this machine', async () => {
    // The running hub holds the embedded store, so the console must go through its socket.
    assert.ok(existsSync(join(dataDir, 'hub', 'control.sock')));
    const result = await runCli([
      ...'admin token create --role viewer'.split(' '),
      '--data-dir',
      dataDir,
    ]);

    assertSucceeded(result, 'admin token create');
    viewerToken = result.stdout.trim();
    assert.match(viewerToken, /^stk_\S+$/);
    const machines = await waitForMachines(hubUrl, viewerToken, (list) => list.length > 0);
    assert.deepEqual(
      machines.map((machine) => machine.hostname),
      [hostname()],
    );
    firstLastSeenAt = machines[0]!.lastSeenAt;
    // The token can read but not administer.
    const refused = await fetch(`${hubUrl}/api/v1/activation-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewerToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(refused.status, 403);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    const finished = await running!.stop();

    assert.equal(finished.code, 0, finished.stderr);
    assert.match(finished.stderr, /SIGTERM received, stopping/);
    await assert.rejects(fetch(`${hubUrl}/healthz`), 'the hub no longer answers');
  });

  it('admin status reads the stopped hub store directly and counts the callback', async () => {
    const result = await runCli(['admin', 'status', '--data-dir', dataDir]);

    assertSucceeded(result, 'admin status');
    const status = JSON.parse(result.stdout) as {
      store: { kind: string };
      counts: { machines: number; callbacks: number; agents: number };
    };
    assert.equal(status.store.kind, 'embedded');
    assert.equal(status.counts.machines, 1);
    assert.equal(status.counts.agents, 1);
    assert.ok(status.counts.callbacks >= 1, `callbacks: ${status.counts.callbacks}`);
  });

  it('starts again without a new first password, with the same agent and one machine', async () => {
    const started = await start();

    assert.equal(started.agentId, agentId, 'the local agent kept its identity');
    assert.doesNotMatch(started.cli.stdout, /First sign-in/);
    assert.ok(!started.cli.stdout.includes(firstPassword), 'the password is not printed again');
    // The agent calls in at once on start; wait for that callback, then count machines.
    const machines = await waitForMachines(
      started.url,
      viewerToken,
      (list) => list.length > 0 && Date.parse(list[0]!.lastSeenAt) > Date.parse(firstLastSeenAt),
    );
    assert.equal(machines.length, 1);
    assert.equal(machines[0]!.hostname, hostname());

    const finished = await started.cli.stop();
    assert.equal(finished.code, 0, finished.stderr);
    const status = JSON.parse(
      (await runCli(['admin', 'status', '--data-dir', dataDir])).stdout,
    ) as { counts: { machines: number; agents: number; callbacks: number } };
    assert.equal(status.counts.machines, 1);
    assert.equal(status.counts.agents, 1);
    assert.ok(status.counts.callbacks >= 2);
  });

  it('backs the stopped store up, and will not restore over it without --force', async () => {
    const file = join(dataDir, 'site.backup.gz');
    const backup = await runCli(['admin', 'backup', file, '--data-dir', dataDir]);

    assertSucceeded(backup, 'admin backup');
    assert.match(
      backup.stdout,
      /^Backup written to .*site\.backup\.gz: \d+ row\(s\) in \d+ tables/,
    );
    assert.match(backup.stderr, /^ {2}machines: 1 row\(s\)$/m);
    const restore = await runCli(['admin', 'restore', file, '--data-dir', dataDir]);
    assert.equal(restore.code, 2, 'a refusal to act, like any configuration error');
    assert.match(restore.stderr, /holds data .* pass --force/);
  });

  it(
    'moves the store to PostgreSQL, which admin uses from then on',
    {
      skip: !serverUrl && 'needs a PostgreSQL server (STRATA_TEST_DATABASE_URL)',
    },
    async () => {
      const database = await createTestDatabase();
      try {
        const move = await runCli([
          'admin',
          'store',
          'move',
          '--to',
          database.url,
          '--data-dir',
          dataDir,
        ]);

        assertSucceeded(move, 'admin store move');
        assert.match(move.stderr, /^ {2}machines: 1 row\(s\)$/m);
        assert.match(move.stdout, /counts checked[\s\S]*store-location\.json[\s\S]*left as it was/);
        const status = JSON.parse(
          (await runCli(['admin', 'status', '--data-dir', dataDir])).stdout,
        ) as { store: { kind: string }; counts: { machines: number } };
        assert.equal(status.store.kind, 'postgres');
        assert.equal(status.counts.machines, 1);
      } finally {
        await rm(join(dataDir, 'hub', 'store-location.json'), { force: true });
        await database.drop();
      }
    },
  );
});

describe('strata hub and strata admin on a PostgreSQL server', { skip: !serverUrl }, () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let hubDir: string;
  let consoleDir: string;
  let agentDir: string;
  const processes: Cli[] = [];

  before(async () => {
    database = await createTestDatabase();
    hubDir = await mkdtemp(join(tmpdir(), 'strata-hub-'));
    consoleDir = await mkdtemp(join(tmpdir(), 'strata-console-'));
    agentDir = await mkdtemp(join(tmpdir(), 'strata-agent-'));
  });

  after(async () => {
    for (const cli of processes) if (cli.child.exitCode === null) await cli.stop();
    await database?.drop();
    for (const dir of [hubDir, consoleDir, agentDir])
      await rm(dir, { recursive: true, force: true });
  });

  it('runs a hub, issues tokens straight into the store, and an agent reports to it', async () => {
    // The hub's log (JSON lines on stdout) is the only place `strata hub` names its port.
    const hub = new Cli(
      ['hub', '--database-url', database.url, '--data-dir', hubDir, '--port', '0'],
      { STRATA_LOG_LEVEL: 'info' },
    );
    processes.push(hub);
    const [, url] = await hub.waitForOutput(
      /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"hub started"/,
    );
    const hubUrl = url!;

    // Another data folder: with a database URL the console needs no running hub's socket.
    const store = ['--database-url', database.url, '--data-dir', consoleDir];
    const viewer = await runCli(['admin', 'token', 'create', '--role', 'viewer', ...store]);
    assertSucceeded(viewer, 'admin token create');
    const activation = await runCli(['admin', 'activation-token', 'create', ...store]);
    assertSucceeded(activation, 'admin activation-token create');

    const agent = new Cli([
      'agent',
      '--data-dir',
      agentDir,
      '--hub',
      hubUrl,
      '--token',
      activation.stdout.trim(),
    ]);
    processes.push(agent);
    const machines = await waitForMachines(hubUrl, viewer.stdout.trim(), (list) => list.length > 0);
    assert.deepEqual(
      machines.map((machine) => machine.hostname),
      [hostname()],
    );

    for (const cli of [agent, hub]) {
      const finished = await cli.stop();
      assert.equal(finished.code, 0, finished.stderr);
    }
    const status = await runCli(['admin', 'status', ...store]);
    assertSucceeded(status, 'admin status');
    const parsed = JSON.parse(status.stdout) as {
      store: { kind: string };
      counts: { callbacks: number };
    };
    assert.equal(parsed.store.kind, 'postgres');
    assert.ok(parsed.counts.callbacks >= 1);
  });

  it('adds a person, exports and imports policies, and verifies the change log', async () => {
    const store = ['--database-url', database.url, '--data-dir', consoleDir];
    const person = await runCli([
      'admin',
      'person',
      'create',
      'olga',
      '--role',
      'operator',
      ...store,
    ]);
    assertSucceeded(person, 'admin person create');
    assert.match(person.stdout, /^Password for olga \(operator\): \S{24}\n$/);

    // Signing an export needs the site CA key, which lives in the hub's own data folder.
    const file = join(consoleDir, 'policies.json');
    const refused = await runCli(['admin', 'policy', 'export', file, ...store]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /ca-key\.pem/);
    const onHub = ['--database-url', database.url, '--data-dir', hubDir];
    assertSucceeded(await runCli(['admin', 'policy', 'export', file, ...onHub]), 'export');
    const imported = await runCli(['admin', 'policy', 'import', file, ...store]);
    assertSucceeded(imported, 'admin policy import');
    assert.equal((JSON.parse(imported.stdout) as { status: string }).status, 'imported');

    const verified = await runCli(['admin', 'change-log', 'verify', ...store]);
    assertSucceeded(verified, 'admin change-log verify');
    assert.equal((JSON.parse(verified.stdout) as { status: string }).status, 'intact');
  });
});
