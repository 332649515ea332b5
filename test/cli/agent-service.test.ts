/**
 * `strata-agent agent install` and `uninstall` from the built bundle, into a throw-away root
 * folder: the unit systemd would read (checked by systemd-analyze where installed), the files
 * beside it, and an uninstall that leaves the folder as it found it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { buildAgentBundle, runCommand } from '../support/agent-bundle.js';
import { skipUnlessProvided } from '../support/needs.js';
import { agentUnitText, serviceNodeFlags } from '../../src/agent/service/agent-unit.js';
import { strataVersion } from '../../src/shared/version.js';

const hubUrl = 'http://hub.example:8080';
const token = 'sat1.secret.pin';

/** Skips where a developer lacks `tool`; CI installs it (.ci/run), so there it fails. */
function skipOrFailInCi(t: TestContext, tool: string): void {
  if (process.env.CI) assert.fail(`CI must provide ${tool}; see .ci/run`);
  t.skip(`${tool} is not installed`);
}

/** Every path below `root`, relative to it, sorted. */
async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries.map((entry) => relative(root, join(root, entry))).sort();
}

describe('the agent installed as a systemd service into a folder', () => {
  let bundle: string;
  let root: string;
  const agentCli = (args: string[]) => runCommand(process.execPath, [bundle, 'agent', ...args]);

  before(async () => {
    bundle = buildAgentBundle();
    root = await mkdtemp(join(tmpdir(), 'strata-root-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('writes a unit that runs the bundle, and says how to start it without systemd', async () => {
    const result = await agentCli(['install', '--root', root, '--hub', hubUrl, '--token', token]);
    assert.equal(result.code, 0, result.stderr);

    const unit = await readFile(join(root, 'etc/systemd/system/strata-agent.service'), 'utf8');
    const execStart = /^ExecStart=(.*)$/m.exec(unit)?.[1];
    assert.equal(
      execStart,
      `${process.execPath} ${serviceNodeFlags.join(' ')} ` +
        '/usr/local/lib/strata/strata-agent.mjs agent --data-dir /var/lib/strata',
    );
    for (const line of [
      'Restart=on-failure',
      'RestartPreventExitStatus=2',
      'EnvironmentFile=-/etc/strata/agent.env',
      'StateDirectory=strata',
      'User=root',
      'NoNewPrivileges=yes',
      'WantedBy=multi-user.target',
    ]) {
      assert.match(unit, new RegExp(`^${line}$`, 'm'));
    }
    // What the agent needs stays: every process under /proc, the netfilter queue.
    assert.match(unit, /^CapabilityBoundingSet=.*CAP_SYS_PTRACE.*CAP_NET_ADMIN/m);
    assert.doesNotMatch(unit, /ProtectProc|ProcSubset|MemoryDenyWriteExecute|PrivateNetwork/);

    const systemdRuns = await stat('/run/systemd/system').then(
      () => true,
      () => false,
    );
    if (!systemdRuns) assert.match(result.stdout, /systemd does not run here .*To run the agent/);
  });

  it('installs a copy of the bundle that runs on its own', async () => {
    const installed = join(root, 'usr/local/lib/strata/strata-agent.mjs');
    assert.deepEqual(await readFile(installed), await readFile(bundle));
    const version = await runCommand(process.execPath, [installed, '--version']);
    assert.equal(version.stdout.trim(), strataVersion);
  });

  it('keeps the hub address and token for the service, readable by root only', async () => {
    const envFile = join(root, 'etc/strata/agent.env');
    assert.equal((await stat(envFile)).mode & 0o777, 0o600);
    const text = await readFile(envFile, 'utf8');
    assert.match(text, new RegExp(`^STRATA_HUB_URL=${hubUrl}$`, 'm'));
    assert.match(text, new RegExp(`^STRATA_ACTIVATION_TOKEN=${token}$`, 'm'));
    assert.equal((await stat(join(root, 'var/lib/strata'))).mode & 0o777, 0o700);
  });

  it('writes a unit that systemd-analyze verifies without a warning', async (t) => {
    const unitPath = join(root, 'etc/systemd/system/strata-agent.service');
    const verify = await runCommand('systemd-analyze', ['verify', unitPath]);
    if (verify.code === -1) return skipOrFailInCi(t, 'systemd-analyze (Debian: systemd)');
    assert.equal(verify.code, 0, verify.stderr);
    assert.equal(verify.stderr.trim(), '');
  });

  it('enables the unit for the next boot, where systemctl is installed', async (t) => {
    const link = join(root, 'etc/systemd/system/multi-user.target.wants/strata-agent.service');
    const linked = await lstat(link).then(
      () => true,
      () => false,
    );
    const systemctl = await runCommand('systemctl', ['--version']);
    if (systemctl.code !== 0) return skipOrFailInCi(t, 'systemctl (Debian: systemd)');
    assert.ok(linked, 'the wants link is there');
  });

  it('keeps the data folder on uninstall, and removes everything else', async () => {
    await mkdir(join(root, 'var/lib/strata/agent'));
    await writeFile(join(root, 'var/lib/strata/agent/identity.json'), '{}');

    const result = await agentCli(['uninstall', '--root', root]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /kept the data folder \/var\/lib\/strata/);
    assert.deepEqual(await listTree(root), [
      'var',
      'var/lib',
      'var/lib/strata',
      'var/lib/strata/agent',
      'var/lib/strata/agent/identity.json',
    ]);
  });

  it('leaves nothing behind after an uninstall with --purge', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'strata-root-'));
    try {
      // A bundle named relative to the working folder, as people type it.
      const relativeBundle = relative(process.cwd(), bundle);
      const args = ['install', '--root', empty, '--no-start', '--bundle', relativeBundle];
      const installed = await agentCli(args);
      assert.equal(installed.code, 0, installed.stderr);
      assert.match(installed.stdout, /not activated/);
      assert.ok((await listTree(empty)).length > 5);

      const result = await agentCli(['uninstall', '--root', empty, '--purge']);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(await listTree(empty), []);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('refuses a data folder systemd cannot take as it is', async () => {
    const result = await agentCli(['install', '--root', root, '--data-dir', '/var/lib/my data']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /dataDir must be an absolute path without spaces/);
  });
});

/** What the capability test needs of this machine, or null when it has all of it. */
function missingForCapabilities(): string | null {
  if (process.getuid?.() !== 0) return 'root, to drop capabilities';
  const found = spawnSync('setpriv', ['--version']);
  return found.status === 0 ? null : 'setpriv (Debian: util-linux)';
}

describe(
  "the unit's capability set",
  { skip: skipUnlessProvided(missingForCapabilities()) },
  () => {
    const unit = agentUnitText({
      nodePath: process.execPath,
      bundlePath: '/usr/local/lib/strata/strata-agent.mjs',
      dataDir: '/var/lib/strata',
      envFile: '/etc/strata/agent.env',
    });
    const capabilities = /^CapabilityBoundingSet=(.*)$/m
      .exec(unit)![1]!
      .split(' ')
      .map((name) => `+${name.replace(/^CAP_/, '').toLowerCase()}`);

    /** Runs a shell command as root with only `kept` in its bounding set, as systemd would. */
    const withOnly = (kept: string[], command: string) =>
      runCommand('setpriv', [
        `--bounding-set=-all,${kept.join(',')}`,
        '--no-new-privs',
        'sh',
        '-c',
        command,
      ]);

    it("lets the agent read another user's /proc entries and the iptables rules", async () => {
      // A process of another user (nobody), like the desktop processes the agent measures.
      const other = spawn('setpriv', [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        'sleep',
        '60',
      ]);
      try {
        await new Promise((done) => setTimeout(done, 300));
        const proc = `/proc/${other.pid}`;
        const read = `cat ${proc}/io && readlink ${proc}/exe && ls ${proc}/fd`;
        const kept = await withOnly(capabilities, read);
        assert.equal(kept.code, 0, kept.stderr);
        assert.match(kept.stdout, /^rchar: \d+$/m);
        assert.match(kept.stdout, /sleep$/m);

        // Without CAP_SYS_PTRACE the same read fails: the set is what makes it work.
        const lacking = capabilities.filter((name) => name !== '+sys_ptrace');
        assert.notEqual((await withOnly(lacking, read)).code, 0);
      } finally {
        other.kill();
      }
      const iptables = await withOnly(capabilities, 'iptables -w -S OUTPUT');
      if (iptables.code === 127) return; // iptables is not installed: Connector ID cannot tag here
      assert.equal(iptables.code, 0, iptables.stderr);
      assert.match(iptables.stdout, /^-P OUTPUT/m);
    });
  },
);
