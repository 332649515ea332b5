/**
 * CPU use over a short window on Linux, for the machine and for each process, from two
 * readings of /proc. Both figures share one denominator, all ticks of all CPUs, so a process
 * that keeps one of two cores busy shows 50, and the processes add up to the machine.
 */
import { setTimeout as delay } from 'node:timers/promises';

import type { ProcessSample } from '../protocol/callback-schema.js';
import type { AccountNamer } from './account-names.js';
import { describeLinuxProcesses } from './process-details.js';
import {
  readAllTaskTicks,
  readMachineTicks,
  taskKey,
  type MachineTicks,
  type TaskTicks,
} from './proc-stat.js';
import { percent } from './sample-limits.js';

/** What one window measured; process details are read only for the processes kept. */
export interface CpuWindow {
  /** Whole-machine CPU use over the window, 0 to 100. */
  cpuPercent: number;
  bootedAtMillis: number | null;
  describeProcesses(namer: AccountNamer): Promise<ProcessSample[]>;
  /** Every process of the window's second reading, for figures grouped over all of them. */
  allTasks?: BusyTask[];
}

/** A process with its share of the machine over the window, 0 to 100. */
export interface BusyTask {
  task: TaskTicks;
  cpuPercent: number;
}

/** Measures over `windowMillis` and keeps the `maxProcesses` busiest, by CPU then memory. */
export async function measureLinuxCpuWindow(
  windowMillis: number,
  maxProcesses: number,
): Promise<CpuWindow> {
  const before = await takeReading();
  await delay(windowMillis);
  const after = await takeReading();

  const elapsedTicks = after.machine.total - before.machine.total;
  const share = (ticks: number) => (elapsedTicks > 0 ? percent((ticks / elapsedTicks) * 100) : 0);
  const allTasks = [...after.tasks.values()].map((task) => {
    // A process missing from the first reading started inside the window: all its ticks count.
    const earlier = before.tasks.get(taskKey(task))?.busy ?? 0;
    return { task, cpuPercent: share(task.busy - earlier) };
  });
  const busiest = [...allTasks].sort(byCpuThenMemory).slice(0, maxProcesses);

  const unusedTicks = after.machine.unused - before.machine.unused;
  return {
    cpuPercent: share(elapsedTicks - unusedTicks),
    bootedAtMillis: after.machine.bootedAtMillis,
    allTasks,
    describeProcesses: (namer) =>
      describeLinuxProcesses(busiest, after.machine.bootedAtMillis, namer),
  };
}

async function takeReading(): Promise<{ machine: MachineTicks; tasks: Map<string, TaskTicks> }> {
  const machine = await readMachineTicks();
  const tasks = await readAllTaskTicks();
  return { machine, tasks };
}

function byCpuThenMemory(a: BusyTask, b: BusyTask): number {
  return (
    b.cpuPercent - a.cpuPercent || b.task.rssPages - a.task.rssPages || a.task.pid - b.task.pid
  );
}
