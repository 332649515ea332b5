import { advisoryLocks } from '../../store/advisory-locks.js';
import type { Queryable, Store } from '../../store/store.js';

/** The runner's view of a job, as far as the table needs it. */
interface JobIdentity {
  name: string;
  intervalMillis: number;
}

/**
 * Claims a run of a job for `owner`: under a transaction lock (so hubs claim one at a time,
 * whichever connection of a pool they use), the job must be due (or `force`d) and free of a
 * live lease. Times come from the hub's clock, not the server's, so a test clock moves them.
 */
export async function claimRun(
  store: Store,
  claim: {
    job: JobIdentity;
    owner: string;
    nowMillis: number;
    leaseMillis: number;
    force: boolean;
  },
): Promise<'claimed' | 'not_due' | 'running_elsewhere'> {
  const now = new Date(claim.nowMillis);
  return store.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [advisoryLocks.scheduledJobs]);
    // A job never run before is due at once.
    await tx.query(
      `INSERT INTO scheduled_jobs (name, interval_millis, next_due_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO NOTHING`,
      [claim.job.name, claim.job.intervalMillis, now],
    );
    const [row] = await tx.query<{ next_due_at: Date; lease_expires_at: Date | null }>(
      'SELECT next_due_at, lease_expires_at FROM scheduled_jobs WHERE name = $1',
      [claim.job.name],
    );
    if (row!.lease_expires_at && row!.lease_expires_at.getTime() > claim.nowMillis) {
      return 'running_elsewhere';
    }
    if (!claim.force && row!.next_due_at.getTime() > claim.nowMillis) return 'not_due';
    await tx.query(
      `UPDATE scheduled_jobs
       SET lease_owner = $2, lease_expires_at = $3, last_started_at = $4, interval_millis = $5
       WHERE name = $1`,
      [
        claim.job.name,
        claim.owner,
        new Date(claim.nowMillis + claim.leaseMillis),
        now,
        claim.job.intervalMillis,
      ],
    );
    return 'claimed';
  });
}

/** Keeps a run's lease alive while it lasts. */
export async function renewLease(
  db: Queryable,
  name: string,
  owner: string,
  expiresMillis: number,
): Promise<void> {
  await db.query(
    'UPDATE scheduled_jobs SET lease_expires_at = $3 WHERE name = $1 AND lease_owner = $2',
    [name, owner, new Date(expiresMillis)],
  );
}

/**
 * Records how a run ended and when the job is next due (one interval after this run began),
 * and gives up the lease.
 */
export async function finishRun(
  db: Queryable,
  run: {
    job: JobIdentity;
    owner: string;
    startedMillis: number;
    durationMillis: number;
    result?: object;
    error?: string;
  },
): Promise<void> {
  const failed = run.error !== undefined;
  const finished = new Date(run.startedMillis + run.durationMillis);
  await db.query(
    `UPDATE scheduled_jobs SET
       lease_owner = NULL, lease_expires_at = NULL,
       next_due_at = $3, last_finished_at = $4, last_duration_millis = $5,
       last_outcome = $6, last_result = $7, runs = runs + 1,
       failures = failures + (CASE WHEN $8 THEN 1 ELSE 0 END),
       last_error = CASE WHEN $8 THEN $9 ELSE last_error END,
       last_error_at = CASE WHEN $8 THEN $4 ELSE last_error_at END
     WHERE name = $1 AND lease_owner = $2`,
    [
      run.job.name,
      run.owner,
      new Date(run.startedMillis + run.job.intervalMillis),
      finished,
      run.durationMillis,
      failed ? 'failed' : 'ok',
      failed ? null : JSON.stringify(run.result ?? {}),
      failed,
      run.error ?? null,
    ],
  );
}

/** A job's record as the status page and `strata admin status` show it. */
export interface JobState {
  name: string;
  intervalMillis: number;
  nextDueAt: string;
  running: boolean;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastDurationMillis: number | null;
  lastOutcome: 'ok' | 'failed' | null;
  lastResult: unknown;
  lastError: string | null;
  lastErrorAt: string | null;
  runs: number;
  failures: number;
}

/** Every job that has run or been claimed on this store, by name. */
export async function listJobStates(db: Queryable, nowMillis: number): Promise<JobState[]> {
  const rows = await db.query<Record<string, unknown>>(
    'SELECT * FROM scheduled_jobs ORDER BY name',
  );
  const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : null);
  return rows.map((row) => ({
    name: row.name as string,
    intervalMillis: Number(row.interval_millis),
    nextDueAt: iso(row.next_due_at)!,
    running: row.lease_expires_at instanceof Date && row.lease_expires_at.getTime() > nowMillis,
    lastStartedAt: iso(row.last_started_at),
    lastFinishedAt: iso(row.last_finished_at),
    lastDurationMillis: row.last_duration_millis === null ? null : Number(row.last_duration_millis),
    lastOutcome: row.last_outcome as JobState['lastOutcome'],
    lastResult: row.last_result ?? null,
    lastError: (row.last_error as string | null) ?? null,
    lastErrorAt: iso(row.last_error_at),
    runs: Number(row.runs),
    failures: Number(row.failures),
  }));
}
