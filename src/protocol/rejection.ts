/**
 * Why a recipient refused a message. Each code is stable: agents act on it, the hub counts
 * it, and people search logs for it.
 */
export const rejectionReasons = {
  malformed: { status: 400, message: 'the body is not a well-formed message' },
  oversized: { status: 413, message: 'the body is larger than the hub accepts' },
  invalid_callback: { status: 400, message: 'the decrypted callback does not fit the schema' },
  unknown_sender: { status: 401, message: 'the sender is not an activated component' },
  revoked_sender: { status: 403, message: 'the sender has been revoked' },
  certificate_expired: { status: 403, message: 'the sender’s certificate has expired' },
  bad_signature: { status: 401, message: 'the signature does not match the sender’s key' },
  wrong_recipient: { status: 403, message: 'the message is addressed to someone else' },
  stale_challenge: { status: 401, message: 'the challenge is unknown, used or expired' },
  unknown_session: { status: 401, message: 'no such session here; open a new one' },
  session_expired: { status: 401, message: 'the session has expired; open a new one' },
  decrypt_failed: { status: 400, message: 'the message was altered or not encrypted for us' },
  replayed: { status: 409, message: 'this message was already received' },
  bad_activation_token: {
    status: 403,
    message: 'the activation token is unknown, used up, expired or for another kind',
  },
  bad_activation_proof: { status: 400, message: 'the activation request is not signed by its key' },
  collector_limit: {
    status: 409,
    message: 'the site has as many collectors as it allows; revoke one or raise --max-collectors',
  },
} as const;

export type RejectionReason = keyof typeof rejectionReasons;

/** A refused message: thrown by a recipient, turned into an HTTP answer in one place. */
export class MessageRejected extends Error {
  readonly status: number;

  constructor(
    readonly code: RejectionReason,
    detail?: string,
  ) {
    super(detail ? `${rejectionReasons[code].message}: ${detail}` : rejectionReasons[code].message);
    this.name = 'MessageRejected';
    this.status = rejectionReasons[code].status;
  }
}

/** Counts refusals by reason; the counts show on the hub's status page and in /metrics. */
export class RejectionCounter {
  private readonly counts = new Map<RejectionReason, number>();

  add(reason: RejectionReason): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }

  get(reason: RejectionReason): number {
    return this.counts.get(reason) ?? 0;
  }

  /** Every reason with its count, zero included, so dashboards see the whole list. */
  snapshot(): Record<RejectionReason, number> {
    const entries = Object.keys(rejectionReasons).map((reason) => [
      reason,
      this.get(reason as RejectionReason),
    ]);
    return Object.fromEntries(entries) as Record<RejectionReason, number>;
  }
}
