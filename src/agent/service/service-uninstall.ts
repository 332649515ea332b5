/**
 * `strata agent uninstall`: stops and disables the service, removes what the install wrote
 * and the folders it made; the data folder (identity, queued callbacks) only when purged.
 */
import { readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { agentUnitName } from './agent-unit.js';
import { reportSystemctl } from './service-install.js';
import {
  defaultLayout,
  exists,
  onDisk,
  readRecord,
  recordName,
  resolveLayout,
  type InstallRecord,
  type ServiceLayout,
} from './service-layout.js';
import { systemdRuns } from './systemd-control.js';

export interface UninstallOptions extends Partial<Pick<ServiceLayout, 'root' | 'libDir'>> {
  /** Removes the data folder too: the agent's key, identity and callbacks not yet sent. */
  purge?: boolean;
  say: (line: string) => void;
}

/** Uninstalls the agent service; uninstalling what is not installed says so and succeeds. */
export async function uninstallAgentService(options: UninstallOptions): Promise<void> {
  const layout = resolveLayout({ root: options.root, libDir: options.libDir });
  const { say } = options;
  const record = (await readRecord(layout)) ?? guessedRecord(layout, say);

  await deactivateUnit(layout, record, say);

  const removals = [record.unitPath, ...record.files, record.envFile];
  removals.push(join(layout.libDir, recordName));
  for (const path of removals) {
    if (!(await exists(onDisk(layout, path)))) continue;
    await rm(onDisk(layout, path), { force: true });
    say(`removed ${path}`);
  }
  if (layout.root === '/' && systemdRuns()) {
    await reportSystemctl(['daemon-reload'], 'reloaded systemd', say);
  }

  if (options.purge) {
    await rm(onDisk(layout, record.dataDir), { recursive: true, force: true });
    say(`removed the data folder ${record.dataDir}`);
  } else if (await exists(onDisk(layout, record.dataDir))) {
    say(
      `kept the data folder ${record.dataDir} (the agent's key, identity and any callbacks not ` +
        'yet sent); uninstall with --purge to remove it',
    );
  }
  // A kept data folder stays even when empty: the next install expects it.
  const removable = record.madeDirs.filter((dir) => options.purge || dir !== record.dataDir);
  await removeEmptyDirs(layout, removable, say);
}

/** Without a record (an install from an older release, or a removed file): the defaults. */
function guessedRecord(layout: ServiceLayout, say: (line: string) => void): InstallRecord {
  say(`no ${join(layout.libDir, recordName)}: removing the default files, if present`);
  return {
    unitPath: join(defaultLayout.unitDir, agentUnitName),
    files: ['strata-agent.mjs', 'strata-agent.mjs.LEGAL.txt', 'strata_nfqueue.node'].map((name) =>
      join(layout.libDir, name),
    ),
    envFile: defaultLayout.envFile,
    dataDir: defaultLayout.dataDir,
    madeDirs: [],
  };
}

async function deactivateUnit(
  layout: ServiceLayout,
  record: InstallRecord,
  say: (line: string) => void,
) {
  if (!(await exists(onDisk(layout, record.unitPath)))) return;
  if (layout.root === '/' && systemdRuns()) {
    await reportSystemctl(['disable', '--now', agentUnitName], 'stopped and disabled', say);
    return;
  }
  if (record.unitPath === join(defaultLayout.unitDir, agentUnitName)) {
    const args = [`--root=${layout.root}`, 'disable', agentUnitName];
    await reportSystemctl(args, 'disabled the agent for the next boot', say);
  }
  if (layout.root === '/') {
    say('systemd does not run this machine: stop an agent started by hand yourself');
  }
}

/** Removes the folders the install made, deepest first, where nothing else lives in them. */
async function removeEmptyDirs(layout: ServiceLayout, dirs: string[], say: (l: string) => void) {
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    const path = onDisk(layout, dir);
    const entries = await readdir(path).catch(() => null);
    if (entries === null || entries.length > 0) continue;
    await rmdir(path);
    say(`removed the empty folder ${dir}`);
  }
}
