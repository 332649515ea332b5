/**
 * Readings of Linux's CPU accounting in /proc: the machine's tick counters and boot time from
 * /proc/stat, and each process's ticks, parent and start from /proc/<pid>/stat. Two readings
 * a moment apart give CPU use over that moment.
 */
import { readdir, readFile } from 'node:fs/promises';

/** Kernel clock ticks per second in /proc (USER_HZ), 100 on every desktop architecture. */
export const ticksPerSecond = 100;

/** How many /proc files are open at once, well below any descriptor limit. */
const readBatchSize = 256;

/** The machine's tick counters, summed over all CPUs. */
export interface MachineTicks {
  total: number;
  /** Ticks in which no work ran here: idle, waiting for I/O, or stolen by the hypervisor. */
  unused: number;
  bootedAtMillis: number | null;
}

/** One process as /proc/<pid>/stat describes it. */
export interface TaskTicks {
  pid: number;
  parentPid: number;
  comm: string;
  /** Scheduler state letter: R running, S sleeping, D uninterruptible (waiting on I/O), ... */
  state: string;
  /** User plus system ticks of all its threads since it started. */
  busy: number;
  startTicks: number;
  /** Resident pages; enough to rank processes by memory whatever the page size. */
  rssPages: number;
}

/** The counters of /proc/stat's first `cpu` line and its boot time. */
export async function readMachineTicks(): Promise<MachineTicks> {
  const text = await readFile('/proc/stat', 'utf8');
  const cpuLine = text.split('\n').find((line) => line.startsWith('cpu '));
  // Guest time is already inside user time, so only the first eight counters add up.
  const counters = (cpuLine ?? '')
    .split(/\s+/)
    .slice(1, 9)
    .map((field) => Number(field) || 0);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0] = counters;
  const steal = counters[7] ?? 0;
  const bootSeconds = Number(/^btime (\d+)$/m.exec(text)?.[1]);

  // Not yet: steal is not reported on its own; on an overcommitted VDI host it is the
  // figure that explains a slow desktop, and the callback schema has no field for it.
  const unused = idle + iowait + steal;
  const busy = user + nice + system + irq + softirq;
  return {
    total: unused + busy,
    unused,
    bootedAtMillis: bootSeconds > 0 ? bootSeconds * 1_000 : null,
  };
}

/** Every process's ticks, keyed by pid and start so that a reused pid is a new process. */
export async function readAllTaskTicks(): Promise<Map<string, TaskTicks>> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  // A process may end between listing and reading; it is simply not part of this reading.
  const texts = await mapInBatches(pids, (pid) => readProcFile(`/proc/${pid}/stat`));
  const tasks = new Map<string, TaskTicks>();
  for (const task of texts.map(parseTaskStat)) {
    if (task) tasks.set(taskKey(task), task);
  }
  return tasks;
}

/** The text of a /proc file, or '' once its process has ended. */
export function readProcFile(path: string): Promise<string> {
  return readFile(path, 'utf8').catch(() => '');
}

/** `work` over all `items`, a batch at a time so that open files stay few. */
export async function mapInBatches<T, R>(items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += readBatchSize) {
    results.push(...(await Promise.all(items.slice(start, start + readBatchSize).map(work))));
  }
  return results;
}

/** The key that tells a process from a later one that got the same pid. */
export function taskKey(task: TaskTicks): string {
  return `${task.pid}:${task.startTicks}`;
}

/** One /proc/<pid>/stat text as a reading, or null when it cannot be read as one. */
export function parseTaskStat(text: string): TaskTicks | null {
  // The command name sits in parentheses and may itself contain spaces and parentheses.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;

  const fields = text.slice(close + 2).split(' ');
  const at = (index: number) => Number(fields[index] ?? NaN);
  const task = {
    pid: Number(text.slice(0, open)),
    parentPid: at(1),
    comm: text.slice(open + 1, close),
    state: fields[0] ?? '',
    busy: at(11) + at(12),
    startTicks: at(19),
    rssPages: at(21),
  };
  const numbers = [task.pid, task.parentPid, task.busy, task.startTicks, task.rssPages];
  return numbers.every(Number.isFinite) ? task : null;
}
