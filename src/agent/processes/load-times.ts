/**
 * Application load time: how long a new process takes from its start until it first settles,
 * that is until a window of `watchIntervalMillis` in which it used less than 5% of one core.
 * The watcher looks for new processes every half second and follows each until it settles,
 * ends or has been busy for 5 minutes. docs/agent-metrics.md states the rule.
 */
import { readdir, readlink, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

import type { ApplicationEvent } from '../../protocol/callback-activity.js';
import type { AccountNamer } from '../account-names.js';
import { parseTaskStat, readProcFile, taskKey, ticksPerSecond } from '../proc-stat.js';
import { accountMaxChars, truncate } from '../sample-limits.js';

/** How often the watcher looks for new processes and reads the ones it follows: 500 ms. */
export const watchIntervalMillis = 500;
/** A window with less CPU than this share of one core is quiet: 5%. */
const quietCpuShare = 0.05;
/** CPU a process must use before it settles for its start to count as a load: 100 ms. */
const minLoadCpuMillis = 100;
/** A process still busy this long after its start is no longer followed: 5 minutes. */
const giveUpMillis = 300_000;
/** Most processes followed at once; more new ones at a time are counted and left out. */
const maxFollowed = 64;
/** Most load events kept between two samples; the oldest go first. */
const maxPendingEvents = 1_000;

interface Followed {
  key: string;
  pid: number;
  application: string;
  uid: number;
  startedAtMillis: number;
  busyTicks: number;
  readAtMillis: number;
}

interface Loaded {
  at: string;
  application: string;
  pid: number;
  uid: number;
  durationMillis: number;
}

/** Why a new process gave no load time, counted for the agent's status. */
export interface LoadTimeCounts {
  loaded: number;
  quietFromStart: number;
  endedBeforeSettling: number;
  stillBusy: number;
  notFollowed: number;
  /** Load events dropped because more than 1,000 waited for one sample. */
  eventsDropped: number;
}

export interface LoadTimeOptions {
  procRoot?: string;
  now?: () => number;
  /** The machine's boot time in epoch milliseconds, which process start ticks count from. */
  bootedAtMillis: number;
}

/** Follows new processes until they settle; `drain` hands over the load times since last. */
export class LoadTimeWatcher {
  readonly counts: LoadTimeCounts = {
    loaded: 0,
    quietFromStart: 0,
    endedBeforeSettling: 0,
    stillBusy: 0,
    notFollowed: 0,
    eventsDropped: 0,
  };
  readonly #procRoot: string;
  readonly #now: () => number;
  readonly #bootedAtMillis: number;
  readonly #followed = new Map<string, Followed>();
  #known = new Set<string>();
  #pending: Loaded[] = [];
  #primed = false;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(options: LoadTimeOptions) {
    this.#procRoot = options.procRoot ?? '/proc';
    this.#now = options.now ?? Date.now;
    this.#bootedAtMillis = options.bootedAtMillis;
  }

  /** Reads every `watchIntervalMillis` until `stop`; the timer does not keep Node alive. */
  start(): void {
    this.#timer ??= setInterval(() => {
      if (this.#busy) return;
      this.#busy = true;
      void this.check().finally(() => (this.#busy = false));
    }, watchIntervalMillis);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One look: new processes are followed from now, followed ones are read again. */
  async check(): Promise<void> {
    const now = this.#now();
    const pids = (await readdir(this.#procRoot)).filter((name) => /^\d+$/.test(name));
    const current = new Set(pids);
    const fresh = this.#primed ? pids.filter((pid) => !this.#known.has(pid)) : [];
    this.#known = current;
    this.#primed = true;

    await Promise.all([...this.#followed.values()].map((f) => this.#readAgain(f, now)));
    for (const pid of fresh) {
      if (this.#followed.size >= maxFollowed) {
        this.counts.notFollowed += fresh.length - fresh.indexOf(pid);
        break;
      }
      await this.#follow(pid, now);
    }
  }

  /** Load events since the previous call, with owners named by `namer`. */
  async drain(namer: AccountNamer): Promise<ApplicationEvent[]> {
    const pending = this.#pending;
    this.#pending = [];
    return Promise.all(
      pending.map(async (l) => ({
        event: 'loaded' as const,
        at: l.at,
        application: l.application,
        pid: l.pid,
        account: truncate(await namer.byUid(l.uid), accountMaxChars),
        durationMillis: l.durationMillis,
      })),
    );
  }

  async #follow(pid: string, now: number): Promise<void> {
    const dir = join(this.#procRoot, pid);
    const task = parseTaskStat(await readProcFile(join(dir, 'stat')));
    // Kernel threads (children of kthreadd, pid 2) load nothing a person waits for.
    if (!task || task.pid === 2 || task.parentPid === 2) return;
    const [info, exe] = await Promise.all([
      stat(dir).catch(() => null),
      readlink(join(dir, 'exe')).catch(() => ''),
    ]);
    if (!info) return;
    this.#followed.set(taskKey(task), {
      key: taskKey(task),
      pid: task.pid,
      application: truncate(exe ? basename(exe.replace(/ \(deleted\)$/, '')) : task.comm),
      uid: info.uid,
      startedAtMillis: this.#bootedAtMillis + (task.startTicks * 1_000) / ticksPerSecond,
      busyTicks: task.busy,
      readAtMillis: now,
    });
  }

  async #readAgain(followed: Followed, now: number): Promise<void> {
    const task = parseTaskStat(await readProcFile(join(this.#procRoot, `${followed.pid}/stat`)));
    if (!task || taskKey(task) !== followed.key) {
      this.#followed.delete(followed.key);
      this.counts.endedBeforeSettling++;
      return;
    }
    const windowMillis = now - followed.readAtMillis;
    const cpuMillis = ((task.busy - followed.busyTicks) * 1_000) / ticksPerSecond;
    followed.busyTicks = task.busy;
    const settledAt = followed.readAtMillis;
    followed.readAtMillis = now;
    if (windowMillis > 0 && cpuMillis < windowMillis * quietCpuShare) {
      this.#settle(followed, settledAt, (task.busy * 1_000) / ticksPerSecond);
    } else if (now - followed.startedAtMillis > giveUpMillis) {
      this.#followed.delete(followed.key);
      this.counts.stillBusy++;
    }
  }

  #settle(followed: Followed, settledAtMillis: number, totalCpuMillis: number): void {
    this.#followed.delete(followed.key);
    // A process that was quiet from its start (a daemon waiting, a sleep) loaded nothing.
    if (totalCpuMillis < minLoadCpuMillis) {
      this.counts.quietFromStart++;
      return;
    }
    this.counts.loaded++;
    this.#pending.push({
      at: new Date(settledAtMillis).toISOString(),
      application: followed.application,
      pid: followed.pid,
      uid: followed.uid,
      durationMillis: Math.max(0, Math.round(settledAtMillis - followed.startedAtMillis)),
    });
    if (this.#pending.length > maxPendingEvents) {
      this.#pending.shift();
      this.counts.eventsDropped++;
    }
  }
}

/** A running watcher on Linux; undefined elsewhere, or where /proc gives no boot time. */
export async function startLoadTimeWatcher(): Promise<LoadTimeWatcher | undefined> {
  // Not yet: Windows and macOS, where a process's first window mapping is the better mark.
  if (process.platform !== 'linux') return undefined;
  // /proc/uptime counts in hundredths of a second, as start ticks do; /proc/stat's boot time
  // is rounded to whole seconds, which would shift every load time by up to a second.
  const uptimeSeconds = parseFloat(await readProcFile('/proc/uptime'));
  if (!(uptimeSeconds > 0)) return undefined;
  const watcher = new LoadTimeWatcher({ bootedAtMillis: Date.now() - uptimeSeconds * 1_000 });
  watcher.start();
  return watcher;
}
