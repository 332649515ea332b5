/**
 * Why a collector asks an agent to come back later instead of taking its callback. Each is a
 * 503 with Retry-After: the agent keeps the callback and tries the other collector of the
 * pair, or the hub. Nothing already acknowledged is ever dropped for these.
 */
export const intakeRefusals = {
  queue_full: 'the collector’s queue is at its byte ceiling',
  queue_too_old: 'the oldest queued callback is past the age ceiling',
  disk_nearly_full: 'the queue’s disk is nearly full',
  queue_write_failed: 'the collector could not make the callback durable',
  directory_unavailable: 'the collector cannot look the sender up right now',
  stopping: 'the collector is stopping',
} as const;

export type IntakeRefusalReason = keyof typeof intakeRefusals;

/** Seconds an agent is asked to wait after each refusal, unless the collector knows better. */
export const defaultRetryAfterSeconds: Record<IntakeRefusalReason, number> = {
  queue_full: 30,
  queue_too_old: 60,
  disk_nearly_full: 60,
  queue_write_failed: 10,
  directory_unavailable: 15,
  stopping: 5,
};

/** A 503 refusal; the collector's error handler turns it into an answer with Retry-After. */
export class IntakeRefused extends Error {
  readonly status = 503;

  constructor(
    readonly code: IntakeRefusalReason,
    readonly retryAfterSeconds = defaultRetryAfterSeconds[code],
  ) {
    super(intakeRefusals[code]);
    this.name = 'IntakeRefused';
  }
}
