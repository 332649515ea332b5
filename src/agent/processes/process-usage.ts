/**
 * What a sample says about processes beyond the busiest list: use grouped per user and per
 * application, disk bytes per process, and processes that stopped responding. Keeps the
 * counters it needs between samples, so one tracker lives as long as the agent.
 */
import { readFile } from 'node:fs/promises';

import type { ApplicationEvent } from '../../protocol/callback-activity.js';
import type { ProcessSample } from '../../protocol/callback-schema.js';
import type { ResourceUsage } from '../../protocol/callback-usage.js';
import type { AccountNamer } from '../account-names.js';
import type { BusyTask } from '../cpu-window.js';
import { taskKey } from '../proc-stat.js';
import { DiskIoTracker } from './process-io.js';
import { StuckProcessTracker } from './stuck-processes.js';
import { groupUsage, readOwners } from './usage-groups.js';

/** The page size of every desktop architecture but some arm64 kernels (16 or 64 KiB). */
const defaultPageBytes = 4_096;

export interface ProcessUsage {
  usage: ResourceUsage;
  applicationEvents: ApplicationEvent[];
  /** Adds disk bytes to the busiest processes' samples, matched by pid. */
  withDisk(processes: ProcessSample[]): ProcessSample[];
}

export class ProcessUsageTracker {
  readonly #disk = new DiskIoTracker();
  readonly #stuck: StuckProcessTracker;
  #pageBytes: number | null = null;

  constructor(stuckThresholdMillis?: number) {
    this.#stuck = new StuckProcessTracker(stuckThresholdMillis);
  }

  /** Measures `tasks` (every process of the CPU window) as of `nowMillis`. */
  async measure(tasks: BusyTask[], namer: AccountNamer, nowMillis: number): Promise<ProcessUsage> {
    // Not yet: network bytes per process (needs eBPF or netfilter accounting), and a stall
    // between two samples is seen only if it spans both; a watcher every few seconds would
    // catch shorter ones and tell two stalls from one.
    const [owners, disk, pageBytes] = await Promise.all([
      readOwners(tasks, namer),
      this.#disk.measure(tasks.map((t) => t.task)),
      this.#readPageBytes(),
    ]);
    const unknown = (comm: string) => ({ application: comm, account: '' });
    const applicationEvents = this.#stuck.observe(
      tasks.map((t) => t.task),
      nowMillis,
      (task) => owners.get(taskKey(task)) ?? unknown(task.comm),
    );
    const byPid = new Map(tasks.map(({ task }) => [task.pid, disk.get(taskKey(task))]));
    return {
      usage: groupUsage(tasks, owners, disk, pageBytes),
      applicationEvents,
      withDisk: (processes) =>
        processes.map((p) => {
          const io = byPid.get(p.pid);
          return io ? { ...p, diskReadBytes: io.readBytes, diskWriteBytes: io.writeBytes } : p;
        }),
    };
  }

  // statm counts pages and status counts KiB for the same resident set, so their ratio is
  // the page size; Node has no call for it.
  async #readPageBytes(): Promise<number> {
    if (this.#pageBytes !== null) return this.#pageBytes;
    const [statm, status] = await Promise.all([
      readFile('/proc/self/statm', 'utf8').catch(() => ''),
      readFile('/proc/self/status', 'utf8').catch(() => ''),
    ]);
    const pages = Number(statm.split(' ')[1]);
    const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
    const ratio = (kib * 1_024) / pages;
    // Rounded to a power of two, since the two files are read a moment apart.
    this.#pageBytes = ratio > 0 ? 2 ** Math.round(Math.log2(ratio)) : defaultPageBytes;
    return this.#pageBytes;
  }
}
