/**
 * Disk bytes per process from /proc/<pid>/io: read_bytes and write_bytes count what reached
 * the storage layer (not the page cache), which is what makes a disk busy. The counters only
 * grow, so the bytes of one sample are the difference from the previous sample's reading.
 */
import { join } from 'node:path';

import { mapInBatches, readProcFile, taskKey, type TaskTicks } from '../proc-stat.js';

/** Bytes one process read and wrote since the previous sample. */
export interface DiskBytes {
  readBytes: number;
  writeBytes: number;
}

/** Keeps each process's last counters between samples. */
export class DiskIoTracker {
  #previous = new Map<string, DiskBytes>();

  constructor(private readonly procRoot = '/proc') {}

  /** Bytes since the previous call for each of `tasks`, keyed by taskKey. A process first
   * seen now counts everything since it started; an unreadable one (another user's, without
   * root) is left out. */
  async measure(tasks: TaskTicks[]): Promise<Map<string, DiskBytes>> {
    const readings = await mapInBatches(tasks, async (task) => ({
      key: taskKey(task),
      counters: parseIo(await readProcFile(join(this.procRoot, String(task.pid), 'io'))),
    }));
    const deltas = new Map<string, DiskBytes>();
    const current = new Map<string, DiskBytes>();
    for (const { key, counters } of readings) {
      if (!counters) continue;
      const before = this.#previous.get(key) ?? { readBytes: 0, writeBytes: 0 };
      current.set(key, counters);
      deltas.set(key, {
        readBytes: Math.max(0, counters.readBytes - before.readBytes),
        writeBytes: Math.max(0, counters.writeBytes - before.writeBytes),
      });
    }
    // Ended processes are forgotten, so the map never grows past the live processes.
    this.#previous = current;
    return deltas;
  }
}

/** The two counters of a /proc/<pid>/io text, or null when it is empty or unreadable. */
export function parseIo(text: string): DiskBytes | null {
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1]);
  const readBytes = field('read_bytes');
  const writeBytes = field('write_bytes');
  if (!Number.isFinite(readBytes) || !Number.isFinite(writeBytes)) return null;
  return { readBytes, writeBytes };
}
