/**
 * The rest of what a callback says about a Linux process, read after the CPU window and only
 * for the processes it keeps: owner, resident memory, full name and command line.
 */
import type { ProcessSample } from '../protocol/callback-schema.js';
import type { AccountNamer } from './account-names.js';
import type { BusyTask } from './cpu-window.js';
import { mapInBatches, readProcFile, ticksPerSecond } from './proc-stat.js';
import {
  accountMaxChars,
  commandMaxChars,
  isoOrNull,
  nonNegative,
  truncate,
} from './sample-limits.js';
import { redactCommandLine } from './command-redaction.js';

/** The kernel keeps this many characters of a program's name (TASK_COMM_LEN less one). */
const kernelNameMaxChars = 15;

/** Samples for `busiest`, in the same order; `bootedAtMillis` dates their starts. */
export function describeLinuxProcesses(
  busiest: BusyTask[],
  bootedAtMillis: number | null,
  namer: AccountNamer,
): Promise<ProcessSample[]> {
  return mapInBatches(busiest, (busy) => describe(busy, bootedAtMillis, namer));
}

async function describe(
  { task, cpuPercent }: BusyTask,
  bootedAtMillis: number | null,
  namer: AccountNamer,
): Promise<ProcessSample> {
  const [status, cmdline] = await Promise.all([
    readProcFile(`/proc/${task.pid}/status`),
    readProcFile(`/proc/${task.pid}/cmdline`),
  ]);
  const argv = cmdline.replace(/\0$/, '').split('\0');
  // The effective user, the one whose rights the process uses, as `ps` shows it.
  const uid = /^Uid:\s+\d+\s+(\d+)/m.exec(status)?.[1];
  const rssKib = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
  const startMillis = (task.startTicks * 1_000) / ticksPerSecond;

  return {
    pid: task.pid,
    parentPid: task.parentPid,
    name: truncate(fullName(task.comm, argv[0])),
    command: truncate(redactCommandLine(argv.join(' ')), commandMaxChars),
    // A process that ended since the window has no owner left to read.
    account: uid === undefined ? '' : truncate(await namer.byUid(Number(uid)), accountMaxChars),
    cpuPercent,
    memoryRssBytes: nonNegative(rssKib * 1_024),
    startedAt: bootedAtMillis === null ? null : isoOrNull(new Date(bootedAtMillis + startMillis)),
  };
}

// A cut name's full form begins the last path element of argv[0], unless the program has
// rewritten argv[0] to describe itself, as daemons do.
function fullName(kernelName: string, argv0: string | undefined): string {
  if (kernelName.length < kernelNameMaxChars || !argv0) return kernelName;

  const base = argv0.slice(argv0.lastIndexOf('/') + 1);
  return base.startsWith(kernelName) ? base : kernelName;
}
