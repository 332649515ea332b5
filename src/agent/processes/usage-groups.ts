/**
 * Sums the use of every process per user and per application. An application is the
 * executable a process runs (the file name of /proc/<pid>/exe), so all of a browser's helper
 * processes land in one group; a kernel thread or a process whose executable cannot be read
 * is grouped under its kernel name instead.
 */
import { readlink, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

import {
  maxUsageGroups,
  type ResourceUsage,
  type UsageGroup,
} from '../../protocol/callback-usage.js';
import type { AccountNamer } from '../account-names.js';
import type { BusyTask } from '../cpu-window.js';
import { mapInBatches, taskKey } from '../proc-stat.js';
import { accountMaxChars, percent, truncate } from '../sample-limits.js';
import type { DiskBytes } from './process-io.js';

/** Who runs a process and what it runs, read once per sample. */
export interface TaskOwner {
  account: string;
  application: string;
}

/** Owner and executable of each task, keyed by taskKey; ended processes are left out. */
export async function readOwners(
  tasks: BusyTask[],
  namer: AccountNamer,
  procRoot = '/proc',
): Promise<Map<string, TaskOwner>> {
  const owners = new Map<string, TaskOwner>();
  await mapInBatches(tasks, async ({ task }) => {
    const dir = join(procRoot, String(task.pid));
    // The owner of /proc/<pid> is the process's effective user, as ps shows it.
    const info = await stat(dir).catch(() => null);
    if (!info) return;
    const exe = await readlink(join(dir, 'exe')).catch(() => '');
    // A replaced executable reads as "/usr/bin/app (deleted)"; it is still that application.
    const application = exe ? basename(exe.replace(/ \(deleted\)$/, '')) : task.comm;
    const account = truncate(await namer.byUid(info.uid), accountMaxChars);
    owners.set(taskKey(task), { account, application: truncate(application) });
  });
  return owners;
}

/** Per-user and per-application sums, busiest first; `pageBytes` sizes resident pages. */
export function groupUsage(
  tasks: BusyTask[],
  owners: Map<string, TaskOwner>,
  disk: Map<string, DiskBytes>,
  pageBytes: number,
): ResourceUsage {
  const byUser = new Map<string, UsageGroup>();
  const byApplication = new Map<string, UsageGroup>();
  for (const { task, cpuPercent } of tasks) {
    const key = taskKey(task);
    const owner = owners.get(key);
    if (!owner) continue;
    const io = disk.get(key);
    for (const [groups, name] of [
      [byUser, owner.account],
      [byApplication, owner.application],
    ] as const) {
      const group = groups.get(name) ?? emptyGroup(name);
      group.processCount += 1;
      group.cpuPercent = percent(group.cpuPercent + cpuPercent);
      group.memoryRssBytes += Math.max(0, task.rssPages) * pageBytes;
      group.diskReadBytes += io?.readBytes ?? 0;
      group.diskWriteBytes += io?.writeBytes ?? 0;
      groups.set(name, group);
    }
  }
  return { byUser: busiest(byUser), byApplication: busiest(byApplication) };
}

function emptyGroup(key: string): UsageGroup {
  const zero = { processCount: 0, cpuPercent: 0, memoryRssBytes: 0 };
  return { key, ...zero, diskReadBytes: 0, diskWriteBytes: 0 };
}

function busiest(groups: Map<string, UsageGroup>): UsageGroup[] {
  return [...groups.values()]
    .sort((a, b) => b.cpuPercent - a.cpuPercent || b.memoryRssBytes - a.memoryRssBytes)
    .slice(0, maxUsageGroups);
}
