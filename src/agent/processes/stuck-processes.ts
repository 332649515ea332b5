/**
 * Processes that stopped responding: on Linux, those in uninterruptible sleep (state D,
 * waiting on a disk, a network file system or a driver) at consecutive readings for longer
 * than a threshold. A process that sleeps in D for a moment is normal; one that stays there
 * cannot be killed and freezes whatever waits on it.
 */
import type { ApplicationEvent } from '../../protocol/callback-activity.js';
import { taskKey, type TaskTicks } from '../proc-stat.js';

/** How long a process must stay in state D before it counts as not responding (default). */
export const stuckThresholdMillis = 10_000;
/** The schema's ceiling for a duration (24 hours). */
const durationMaxMillis = 86_400_000;

/** Remembers since when each process has been seen in state D. */
export class StuckProcessTracker {
  #since = new Map<string, number>();

  constructor(private readonly thresholdMillis = stuckThresholdMillis) {}

  /** Events for processes in D since at least the threshold, as of `nowMillis`. A process
   * still stuck is reported again at each reading, with its duration so far. */
  observe(
    tasks: TaskTicks[],
    nowMillis: number,
    describe: (task: TaskTicks) => { application: string; account: string },
  ): ApplicationEvent[] {
    const since = new Map<string, number>();
    const events: ApplicationEvent[] = [];
    for (const task of tasks) {
      if (task.state !== 'D') continue;
      const key = taskKey(task);
      const first = this.#since.get(key) ?? nowMillis;
      since.set(key, first);
      const stuckMillis = nowMillis - first;
      if (stuckMillis < this.thresholdMillis) continue;
      events.push({
        event: 'not_responding',
        at: new Date(first).toISOString(),
        pid: task.pid,
        ...describe(task),
        durationMillis: Math.min(stuckMillis, durationMaxMillis),
      });
    }
    // Processes that left D (or ended) start over if they enter it again.
    this.#since = since;
    return events;
  }
}
