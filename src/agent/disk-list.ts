/**
 * The machine's file systems with their size and use. Only storage counts: file systems that
 * live in memory or describe the kernel are left out, and so are the read-only images snap
 * mounts for each package, which are full by design and would bury the disks that matter.
 */
import { readFile, stat, statfs } from 'node:fs/promises';

import type { DiskInfo } from '../protocol/callback-schema.js';
import { sourceDeadlineMillis, withDeadline } from './deadline.js';
import { nonNegative, truncate } from './sample-limits.js';
import { loadSystemInformation } from './system-information.js';

/** Most file systems one callback may carry, as the schema allows. */
const maxDisks = 256;
const pathMaxChars = 1_024;

// Container overlays are kept on purpose: on a container host they are where the space goes.
const pseudoFsTypes = new Set([
  'autofs',
  'binfmt_misc',
  'bpf',
  'cgroup',
  'cgroup2',
  'configfs',
  'debugfs',
  'devfs',
  'devpts',
  'devtmpfs',
  'efivarfs',
  'fusectl',
  'hugetlbfs',
  'mqueue',
  'nsfs',
  'proc',
  'pstore',
  'ramfs',
  'rpc_pipefs',
  'securityfs',
  'squashfs',
  'sysfs',
  'tmpfs',
  'tracefs',
]);

// What `df --local` leaves out: file systems served by another machine.
const remoteFsTypes = new Set([
  '9p',
  'afs',
  'ceph',
  'cifs',
  'coda',
  'fuse.sshfs',
  'glusterfs',
  'gpfs',
  'lustre',
  'ncpfs',
  'nfs',
  'nfs4',
  'smb3',
  'smbfs',
]);

interface FileSystem {
  fs: string;
  type: string;
  mount: string;
  size: number;
  used: number;
}

/** Mounted storage, at most 256 file systems, sizes in bytes. */
export async function readDisks(): Promise<DiskInfo[]> {
  const filesystems = await withDeadline(readFileSystems(), sourceDeadlineMillis, []);
  return filesystems
    .filter((fs) => !pseudoFsTypes.has(fs.type.toLowerCase()) && fs.size > 0)
    .slice(0, maxDisks)
    .map((fs) => ({
      mount: truncate(fs.mount, pathMaxChars),
      device: truncate(fs.fs, pathMaxChars),
      fsType: truncate(fs.type),
      sizeBytes: nonNegative(fs.size),
      usedBytes: Math.min(nonNegative(fs.size), nonNegative(fs.used)),
    }));
}

async function readFileSystems(): Promise<FileSystem[]> {
  const linux = process.platform === 'linux' ? await readLinuxFileSystems() : null;
  return linux ?? (await loadSystemInformation()).fsSize();
}

/**
 * The local file systems in /proc/self/mounts with their sizes, as `df --local` shows them:
 * the last mount on a point is the one in effect, and a file system mounted at several points
 * (bind mounts) is listed once, at its shortest mount point. Null without /proc.
 */
async function readLinuxFileSystems(): Promise<FileSystem[] | null> {
  const mounts = await readFile('/proc/self/mounts', 'utf8').catch(() => null);
  if (mounts === null) return null;
  const inEffect = new Map<string, { fs: string; type: string }>();
  for (const line of mounts.split('\n')) {
    const [fs, mount, type] = line.split(' ').map(unescapeMountField);
    if (!fs || !mount || !type) continue;
    inEffect.delete(mount);
    inEffect.set(mount, { fs, type });
  }
  const local = [...inEffect].filter(
    ([, { fs, type }]) =>
      !pseudoFsTypes.has(type) && !remoteFsTypes.has(type) && !/^\/\/|:/.test(fs),
  );
  const measured = await Promise.all(
    local.map(async ([mount, { fs, type }]) => {
      const [sizes, device] = await Promise.all([statfs(mount), stat(mount)]).catch(() => []);
      if (!sizes || !device) return null;
      const size = sizes.blocks * sizes.bsize;
      return { fs, type, mount, size, used: (sizes.blocks - sizes.bfree) * sizes.bsize, device };
    }),
  );
  const byDevice = new Map<number, FileSystem>();
  for (const found of measured) {
    if (!found) continue;
    const { device, ...fileSystem } = found;
    const seen = byDevice.get(device.dev);
    if (!seen || fileSystem.mount.length < seen.mount.length) byDevice.set(device.dev, fileSystem);
  }
  return [...byDevice.values()];
}

// The kernel writes a space, tab, newline or backslash in a mount field as an octal escape.
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(Number.parseInt(octal, 8)),
  );
}
