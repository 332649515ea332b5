/**
 * The machine's file systems with their size and use. Only storage counts: file systems that
 * live in memory or describe the kernel are left out, and so are the read-only images snap
 * mounts for each package, which are full by design and would bury the disks that matter.
 */
import si from 'systeminformation';

import type { DiskInfo } from '../protocol/callback-schema.js';
import { sourceDeadlineMillis, withDeadline } from './deadline.js';
import { nonNegative, truncate } from './sample-limits.js';

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

/** Mounted storage, at most 256 file systems, sizes in bytes. */
export async function readDisks(): Promise<DiskInfo[]> {
  const filesystems = await withDeadline(si.fsSize(), sourceDeadlineMillis, []);
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
