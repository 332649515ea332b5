/**
 * CPU time of the processes taking part in a benchmark, read from /proc (Linux only), so that
 * figures on a shared machine say what each part cost as well as how fast it went.
 */
import { readFile } from 'node:fs/promises';
import type { Queryable } from '../src/store/store.js';

/** Clock ticks per second in /proc/<pid>/stat: 100 on every Linux Strata runs on. */
const ticksPerSecond = 100;

/** CPU seconds (user and system) a process has used so far, or null when it cannot be read. */
export async function processCpuSeconds(pid: number): Promise<number | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!stat) return null;
  // Fields after the command name, which may hold spaces, start past its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** The most resident memory a process has held, in MiB, or null when it cannot be read. */
export async function peakResidentMiB(pid: number): Promise<number | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  const kib = status?.match(/^VmHWM:\s+(\d+) kB/m)?.[1];
  return kib ? Number(kib) / 1024 : null;
}

/**
 * Adds up the CPU time of the PostgreSQL backends serving one database while it runs, looking
 * for them every second (a backend that ends between two looks loses its last second).
 */
export function databaseBackendCpu(store: Queryable, database: string) {
  const seen = new Map<number, { first: number; last: number }>();
  const look = async () => {
    const backends = await store.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database],
    );
    for (const { pid } of backends) {
      const seconds = await processCpuSeconds(pid);
      if (seconds === null) continue;
      const known = seen.get(pid);
      if (known) known.last = seconds;
      else seen.set(pid, { first: seconds, last: seconds });
    }
  };
  let timer: NodeJS.Timeout | undefined;
  let looking = Promise.resolve();
  return {
    async start() {
      await look();
      timer = setInterval(() => {
        looking = looking.then(look).catch(() => undefined);
      }, 1_000);
    },
    /** CPU seconds used since start() by the backends seen. */
    async stop(): Promise<number> {
      clearInterval(timer);
      await looking;
      await look();
      let total = 0;
      for (const { first, last } of seen.values()) total += last - first;
      return total;
    },
  };
}
