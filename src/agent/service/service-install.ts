/**
 * `strata agent install`: puts the agent bundle, the unit and the activation settings in place,
 * then has systemd run the agent where systemd runs this machine, and says what it did.
 */
import { copyFile, chmod, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { ConfigError } from '../../shared/errors.js';
import { agentUnitName, agentUnitText, serviceNodeFlags } from './agent-unit.js';
import { checkActivation, writeEnvFile, type Activation } from './service-env-file.js';
import {
  defaultLayout,
  exists,
  makeDirs,
  onDisk,
  readRecord,
  resolveLayout,
  writeRecord,
  type ServiceLayout,
} from './service-layout.js';
import { initProcessName, systemctl, systemdRuns } from './systemd-control.js';

/** Files that travel with the bundle when they sit beside it (license notes, native addon). */
const bundleCompanions = ['strata-agent.mjs.LEGAL.txt', 'strata_nfqueue.node'];

export interface InstallOptions extends Partial<ServiceLayout>, Activation {
  /** The agent bundle to install (built by `npm run build:agent`). */
  bundle: string;
  /** The Node.js the service runs; default the one running now. */
  nodePath?: string;
  /** Enable and start the service at once where systemd runs (default true). */
  start?: boolean;
  /** Receives one line per step, for people. */
  say: (line: string) => void;
}

/** Installs the agent service; a second install over the first updates it in place. */
export async function installAgentService(options: InstallOptions): Promise<void> {
  const layout = resolveLayout(options);
  const { say } = options;
  const bundle = resolve(options.bundle);
  checkActivation(options);
  await checkCanInstall(layout, bundle);
  const madeDirs: string[] = [];
  const dirFor = async (path: string, mode?: number) => {
    for (const made of await makeDirs(onDisk(layout, path), mode)) {
      madeDirs.push(`/${relative(layout.root, made)}`);
    }
  };

  // The bundle and its companions, unless this is the installed bundle installing itself.
  const bundlePath = join(layout.libDir, basename(bundle));
  await dirFor(layout.libDir);
  const files = [bundlePath];
  for (const name of [basename(bundle), ...bundleCompanions]) {
    const from = join(dirname(bundle), name);
    const to = join(layout.libDir, name);
    if (!(await exists(from))) continue;
    if (from !== onDisk(layout, to)) await copyFile(from, onDisk(layout, to));
    if (!files.includes(to)) files.push(to);
  }
  await chmod(onDisk(layout, bundlePath), 0o755);
  say(`installed the agent bundle as ${bundlePath}`);

  await dirFor(layout.dataDir, 0o700);
  await chmod(onDisk(layout, layout.dataDir), 0o700);
  const activationGiven = options.hubUrl !== undefined || options.token !== undefined;
  if (activationGiven) {
    await dirFor(dirname(layout.envFile));
    await writeEnvFile(onDisk(layout, layout.envFile), options);
    say(`wrote the hub address and activation token to ${layout.envFile} (root only)`);
  }
  await warnIfNeverActivated(layout, say);

  const unitPath = join(layout.unitDir, agentUnitName);
  const nodePath = options.nodePath ?? process.execPath;
  await dirFor(layout.unitDir);
  const unit = agentUnitText({ ...layout, nodePath, bundlePath });
  await writeFile(onDisk(layout, unitPath), unit, { mode: 0o644 });
  say(`wrote ${unitPath}`);

  // An earlier install's record keeps the folders it made, so a reinstall forgets none.
  const earlier = await readRecord(layout);
  const record = {
    unitPath,
    files,
    envFile: layout.envFile,
    dataDir: layout.dataDir,
    madeDirs: [...new Set([...(earlier?.madeDirs ?? []), ...madeDirs])],
  };
  await writeRecord(layout, record);

  await activateUnit(layout, options.start ?? true, say);
  if (!(layout.root === '/' && systemdRuns())) {
    const envFlag = (await exists(onDisk(layout, layout.envFile)))
      ? ` --env-file=${layout.envFile}`
      : '';
    say(
      `systemd does not run ${layout.root === '/' ? 'this machine' : 'here'} (process 1 is ` +
        `${initProcessName()}), so nothing was started. To run the agent without systemd, as ` +
        `root: ${nodePath}${envFlag} ${serviceNodeFlags.join(' ')} ${bundlePath} agent ` +
        `--data-dir ${layout.dataDir}`,
    );
  }
}

async function checkCanInstall(layout: ServiceLayout, bundle: string): Promise<void> {
  if (!(await exists(bundle))) {
    throw new ConfigError(
      `there is no agent bundle at ${bundle}: build it with \`npm run build:agent\`, or pass ` +
        '--bundle <file>',
    );
  }
  if (layout.root === '/' && process.getuid?.() !== 0) {
    throw new ConfigError(
      'installing the agent service needs root; with --root <dir> it writes below that folder',
    );
  }
}

async function warnIfNeverActivated(layout: ServiceLayout, say: (line: string) => void) {
  const activated = await exists(onDisk(layout, join(layout.dataDir, 'agent', 'identity.json')));
  const envFile = await exists(onDisk(layout, layout.envFile));
  if (!activated && !envFile) {
    say(
      'warning: this agent is not activated and no --hub and --token were given; the service ' +
        'will stop at once with exit code 2 until they are: install again with both',
    );
  }
}

/** Enables (and starts) the unit: live where systemd runs, else as links for the next boot. */
async function activateUnit(layout: ServiceLayout, start: boolean, say: (line: string) => void) {
  if (layout.root === '/' && systemdRuns()) {
    await reportSystemctl(['daemon-reload'], 'reloaded systemd', say);
    await reportSystemctl(['enable', agentUnitName], 'enabled the agent', say);
    // A restart, not a start: after a reinstall the running agent must pick up the new bundle.
    if (start) await reportSystemctl(['restart', agentUnitName], 'started the agent', say);
    // Not yet: whether the agent stayed up (`systemctl is-active` a few seconds later) is
    // left to the person reading the journal.
    if (start) say(`its log: journalctl -u ${agentUnitName}`);
    return;
  }
  // Offline, systemctl only makes the links that start the unit at boot, and only knows
  // the standard unit folder.
  if (layout.unitDir !== defaultLayout.unitDir) {
    say(`not enabled: ${layout.unitDir} is not where systemd looks for units`);
    return;
  }
  const args = [`--root=${layout.root}`, 'enable', agentUnitName];
  await reportSystemctl(args, 'enabled the agent for the next boot', say);
}

export async function reportSystemctl(args: string[], done: string, say: (line: string) => void) {
  const result = await systemctl(args);
  if (result.status === 'done') say(done);
  else if (result.status === 'missing')
    say(`systemctl is not installed: skipped ${args.join(' ')}`);
  else say(`systemctl ${args.join(' ')} failed: ${result.message}`);
}
