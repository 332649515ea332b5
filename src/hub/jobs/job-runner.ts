import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../../shared/logger.js';
import type { Store } from '../../store/store.js';
import { claimRun, finishRun, renewLease } from './job-table.js';

/** How often a runner looks for due jobs: every 30 seconds. */
export const defaultTickMillis = 30_000;
/** How long a claimed run keeps other hubs off unless renewed: 10 minutes. */
export const defaultLeaseMillis = 600_000;

/** What a job sees while it runs. */
export interface JobContext {
  store: Store;
  /** The hub's clock; tests move it. */
  nowMillis: () => number;
  log: Logger;
}

/** A job the hubs run every `intervalMillis`, once per period across all hubs on a store. */
export interface ScheduledJob {
  name: string;
  intervalMillis: number;
  /** Returns what it did, kept as the run's result (JSON). */
  run(context: JobContext): Promise<Record<string, unknown>>;
}

/** What became of one attempt to run a job. */
export type JobOutcome =
  | {
      kind: 'ran';
      name: string;
      status: 'ok';
      durationMillis: number;
      result: Record<string, unknown>;
    }
  | { kind: 'ran'; name: string; status: 'failed'; durationMillis: number; error: string }
  | { kind: 'skipped'; name: string; reason: 'not_due' | 'running_elsewhere' };

export interface JobRunnerOptions {
  store: Store;
  jobs: readonly ScheduledJob[];
  log: Logger;
  nowMillis?: () => number;
  tickMillis?: number;
  leaseMillis?: number;
  /** How long after start the first look for due jobs waits (default 0: at once). */
  firstCheckDelayMillis?: number;
}

/**
 * Runs scheduled jobs. Several hubs may share a store: each run is claimed in the
 * scheduled_jobs table (a lease, taken under a transaction lock), so it happens on one hub
 * only. The run itself is outside any transaction; the lease is renewed while it lasts, and a
 * hub that dies mid-run leaves a lease that expires. A job overdue at start (the hubs were
 * down) runs at once.
 */
export class JobRunner {
  /** Who holds a lease: host, process and a random part, unique per runner. */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly nowMillis: () => number;
  private readonly leaseMillis: number;
  private timer: NodeJS.Timeout | null = null;
  private firstCheck: NodeJS.Timeout | null = null;
  private readonly running = new Set<Promise<unknown>>();
  private readonly jobs: ScheduledJob[];

  constructor(private readonly options: JobRunnerOptions) {
    this.jobs = [...options.jobs];
    this.nowMillis = options.nowMillis ?? Date.now;
    this.leaseMillis = options.leaseMillis ?? defaultLeaseMillis;
  }

  /** Adds a job (a module with work of its own, such as roll-ups); it runs from the next tick. */
  add(job: ScheduledJob): void {
    if (this.jobs.some((known) => known.name === job.name))
      throw new Error(`a scheduled job named ${job.name} exists already`);
    this.jobs.push(job);
  }

  /** Runs what is due (after the first check's delay), then looks again every tick. */
  start(): void {
    const tick = () => {
      this.track(this.runDueJobs()).catch((error: unknown) =>
        this.options.log.error({ err: error }, 'scheduled jobs could not be checked'),
      );
    };
    const begin = () => {
      this.firstCheck = null;
      tick();
      this.timer = setInterval(tick, this.options.tickMillis ?? defaultTickMillis);
      this.timer.unref();
    };
    const delayMillis = this.options.firstCheckDelayMillis ?? 0;
    if (delayMillis === 0) return begin();
    this.firstCheck = setTimeout(begin, delayMillis);
    this.firstCheck.unref();
  }

  /** Stops looking for due jobs and waits for runs under way to end. */
  async stop(): Promise<void> {
    if (this.firstCheck) clearTimeout(this.firstCheck);
    if (this.timer) clearInterval(this.timer);
    this.firstCheck = null;
    this.timer = null;
    await Promise.allSettled([...this.running]);
  }

  /** Runs every job that is due and that no other hub is running; one after another. */
  async runDueJobs(): Promise<JobOutcome[]> {
    const outcomes: JobOutcome[] = [];
    for (const job of this.jobs) outcomes.push(await this.attempt(job, false));
    return outcomes;
  }

  /** Runs a job now whether or not it is due (tests, an administrator's request). */
  runJobNow(name: string): Promise<JobOutcome> {
    const job = this.jobs.find((candidate) => candidate.name === name);
    if (!job) throw new Error(`no scheduled job named ${name}`);
    return this.track(this.attempt(job, true));
  }

  private async attempt(job: ScheduledJob, force: boolean): Promise<JobOutcome> {
    const { store, log } = this.options;
    const startedMillis = this.nowMillis();
    const claim = await claimRun(store, {
      job,
      owner: this.owner,
      nowMillis: startedMillis,
      leaseMillis: this.leaseMillis,
      force,
    });
    if (claim !== 'claimed') return { kind: 'skipped', name: job.name, reason: claim };

    const renew = setInterval(() => {
      renewLease(store, job.name, this.owner, this.nowMillis() + this.leaseMillis).catch(
        (error: unknown) => log.warn({ err: error, job: job.name }, 'job lease not renewed'),
      );
    }, this.leaseMillis / 3);
    renew.unref();
    const jobLog = log.child({ job: job.name });
    try {
      const result = await job.run({ store, nowMillis: this.nowMillis, log: jobLog });
      const durationMillis = Math.max(0, this.nowMillis() - startedMillis);
      await finishRun(store, { job, owner: this.owner, startedMillis, durationMillis, result });
      jobLog.info({ durationMillis, result }, 'scheduled job ran');
      return { kind: 'ran', name: job.name, status: 'ok', durationMillis, result };
    } catch (failure) {
      const error = failure instanceof Error ? failure.message : String(failure);
      const durationMillis = Math.max(0, this.nowMillis() - startedMillis);
      await finishRun(store, { job, owner: this.owner, startedMillis, durationMillis, error });
      jobLog.error({ err: failure, durationMillis }, 'scheduled job failed');
      return { kind: 'ran', name: job.name, status: 'failed', durationMillis, error };
    } finally {
      clearInterval(renew);
    }
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const done = () => this.running.delete(work);
    work.then(done, done);
    return work;
  }
}
