/**
 * Where the agent service's files go, and the record of what an install wrote, so that an
 * uninstall removes exactly that: the files, and the folders the install had to make.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../shared/errors.js';
import { plainPathPattern } from './agent-unit.js';

/** The service's places as the running machine sees them (absolute, below `root`). */
export interface ServiceLayout {
  /** Where files are written; `/` for this machine, another folder for an image. */
  root: string;
  /** Default /etc/systemd/system. */
  unitDir: string;
  /** The bundle and its native addon; default /usr/local/lib/strata. */
  libDir: string;
  /** The agent's base data folder; default /var/lib/strata. */
  dataDir: string;
  /** Hub address and activation token for the first start; default /etc/strata/agent.env. */
  envFile: string;
}

export const defaultLayout: ServiceLayout = {
  root: '/',
  unitDir: '/etc/systemd/system',
  libDir: '/usr/local/lib/strata',
  dataDir: '/var/lib/strata',
  envFile: '/etc/strata/agent.env',
};

/** What an install wrote, kept in the library folder as agent-service.json. */
export interface InstallRecord {
  unitPath: string;
  /** Files written besides the unit and the environment file. */
  files: string[];
  envFile: string;
  dataDir: string;
  /** Folders that did not exist before, deepest last; removed when empty at uninstall. */
  madeDirs: string[];
}

export const recordName = 'agent-service.json';

/** The layout with defaults filled in; every path must be one systemd takes as it is. */
export function resolveLayout(given: Partial<ServiceLayout>): ServiceLayout {
  const layout = { ...defaultLayout };
  for (const [key, value] of Object.entries(given) as Array<[keyof ServiceLayout, string]>) {
    if (value !== undefined) layout[key] = value.length > 1 ? value.replace(/\/+$/, '') : value;
  }
  for (const key of ['unitDir', 'libDir', 'dataDir', 'envFile'] as const) {
    if (!plainPathPattern.test(layout[key])) {
      throw new ConfigError(
        `${key} must be an absolute path without spaces, quotes or %, not "${layout[key]}"`,
      );
    }
  }
  return layout;
}

/** A path of the running machine, on disk below the layout's root. */
export function onDisk(layout: ServiceLayout, path: string): string {
  return join(layout.root, path);
}

/** Makes `path` (mode 0755 unless told) and its missing parents (0755); returns those made. */
export async function makeDirs(path: string, mode = 0o755): Promise<string[]> {
  const missing: string[] = [];
  for (let dir = path; !(await exists(dir)); dir = dirname(dir)) missing.unshift(dir);
  for (const dir of missing) await mkdir(dir, { mode: dir === path ? mode : 0o755 });
  return missing;
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export async function readRecord(layout: ServiceLayout): Promise<InstallRecord | null> {
  const path = onDisk(layout, join(layout.libDir, recordName));
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    return JSON.parse(text) as InstallRecord;
  } catch {
    throw new ConfigError(`${path} is damaged; remove the service's files by hand`);
  }
}

export async function writeRecord(layout: ServiceLayout, record: InstallRecord): Promise<void> {
  const path = onDisk(layout, join(layout.libDir, recordName));
  await writeFile(path, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o644 });
}
