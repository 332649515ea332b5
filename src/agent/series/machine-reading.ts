/**
 * A light reading of the machine's Linux counters, cheap enough to take every few seconds:
 * CPU ticks and runnable threads (/proc/stat), memory (/proc/meminfo), major page faults
 * (/proc/vmstat) and whole-disk request counters (/proc/diskstats). Two readings give a
 * point of the sample series.
 */
import { readdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

import type { SeriesPoint } from '../../protocol/callback-series.js';

export interface MachineReading {
  atMillis: number;
  cpuTotalTicks: number;
  cpuUnusedTicks: number;
  runnableThreads: number | null;
  memoryUsedBytes: number | null;
  majorFaults: number | null;
  /** Summed over whole disks: requests completed and milliseconds they took. */
  diskRequests: number | null;
  diskRequestMillis: number | null;
  /** Per whole disk: milliseconds with requests in flight. */
  diskBusyMillis: Map<string, number>;
}

// Devices that are not disks a person waits on: loop files and RAM disks.
const notDisks = /^(loop|ram)\d+$/;

/** Reads the counters; `procRoot` and `sysRoot` are for tests on a made-up tree. */
export async function readMachineReading(
  procRoot = '/proc',
  sysRoot = '/sys',
  nowMillis = Date.now(),
): Promise<MachineReading> {
  const read = (path: string) => readFile(join(procRoot, path), 'utf8').catch(() => '');
  const [stat, meminfo, vmstat, diskstats] = await Promise.all([
    read('stat'),
    read('meminfo'),
    read('vmstat'),
    read('diskstats'),
  ]);
  const cpu = (/^cpu (.*)$/m.exec(stat)?.[1] ?? '').trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal: guest time is inside user already.
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0] = cpu;
  const steal = cpu[7] ?? 0;
  const unused = idle + iowait + steal;
  const kib = (key: string) => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(meminfo);
    return match ? Number(match[1]) * 1_024 : null;
  };
  const total = kib('MemTotal');
  const available = kib('MemAvailable');
  const running = /^procs_running (\d+)$/m.exec(stat);
  const faults = /^pgmajfault (\d+)$/m.exec(vmstat);
  const disks = await wholeDisks(diskstats, sysRoot);
  return {
    atMillis: nowMillis,
    cpuTotalTicks: unused + user + nice + system + irq + softirq,
    cpuUnusedTicks: unused,
    runnableThreads: running ? Number(running[1]) : null,
    memoryUsedBytes: total !== null && available !== null ? total - available : null,
    majorFaults: faults ? Number(faults[1]) : null,
    diskRequests: disks.length > 0 ? sum(disks.map((d) => d.requests)) : null,
    diskRequestMillis: disks.length > 0 ? sum(disks.map((d) => d.millis)) : null,
    diskBusyMillis: new Map(disks.map((d) => [d.name, d.busyMillis])),
  };
}

async function wholeDisks(diskstats: string, sysRoot: string) {
  const disks: Array<{ name: string; requests: number; millis: number; busyMillis: number }> = [];
  const blockDir = join(sysRoot, 'block');
  const whole = new Set(await readdir(blockDir).catch(() => [] as string[]));
  for (const line of diskstats.split('\n')) {
    const f = line.trim().split(/\s+/);
    const name = f[2];
    // Partitions are listed too but are not in /sys/block: counting both would count twice.
    if (!name || notDisks.test(name) || !whole.has(name)) continue;
    const n = (index: number) => Number(f[index]) || 0;
    // reads, read ms, writes, write ms (fields 4, 7, 8, 11), then discards and flushes.
    const requests = n(3) + n(7) + n(14) + n(18);
    const millis = n(6) + n(10) + n(17) + n(19);
    disks.push({ name, requests, millis, busyMillis: n(12) });
  }
  return disks;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** The point between two readings, as of the later one. */
export function pointBetween(before: MachineReading, after: MachineReading): SeriesPoint {
  const windowMillis = after.atMillis - before.atMillis;
  const ticks = after.cpuTotalTicks - before.cpuTotalTicks;
  const perSecond = (a: number | null, b: number | null) =>
    a !== null && b !== null && windowMillis > 0 && b >= a
      ? ((b - a) * 1_000) / windowMillis
      : null;
  const requests =
    before.diskRequests !== null && after.diskRequests !== null
      ? after.diskRequests - before.diskRequests
      : null;
  const requestMillis =
    before.diskRequestMillis !== null && after.diskRequestMillis !== null
      ? after.diskRequestMillis - before.diskRequestMillis
      : null;
  let busiestMillis: number | null = null;
  for (const [name, busy] of after.diskBusyMillis) {
    const earlier = before.diskBusyMillis.get(name);
    if (earlier !== undefined && busy >= earlier) {
      busiestMillis = Math.max(busiestMillis ?? 0, busy - earlier);
    }
  }
  return {
    at: new Date(after.atMillis).toISOString(),
    cpuPercent:
      ticks > 0
        ? clampPercent((1 - (after.cpuUnusedTicks - before.cpuUnusedTicks) / ticks) * 100)
        : null,
    // The reading counts itself among the runnable threads; it is not load.
    cpuQueuePerCore:
      after.runnableThreads !== null
        ? Math.max(0, after.runnableThreads - 1) / availableParallelism()
        : null,
    memoryUsedBytes: after.memoryUsedBytes,
    majorFaultsPerSecond: perSecond(before.majorFaults, after.majorFaults),
    diskLatencyMillis:
      requests !== null && requestMillis !== null && requests > 0 && requestMillis >= 0
        ? requestMillis / requests
        : requests === 0
          ? 0
          : null,
    diskIops: perSecond(before.diskRequests, after.diskRequests),
    diskBusyPercent:
      busiestMillis !== null && windowMillis > 0
        ? clampPercent((busiestMillis / windowMillis) * 100)
        : null,
  };
}

function clampPercent(value: number): number {
  return Math.min(100, Math.max(0, value));
}
