/**
 * Keeps password guessing slow and the hub responsive. Each argon2 check takes 64 MiB and a
 * worker thread for tens of milliseconds, so only a few run at once; a name that keeps failing
 * from one address is locked out for a while. Every refusal is counted by reason.
 */

/** Password checks running at once; the rest wait in line. */
const maxConcurrentChecks = 2;
/** Checks allowed to wait; past this, sign-in answers 503 at once instead of queuing. */
const maxWaitingChecks = 32;
/** Failed sign-ins for one name from one address before it is locked out. */
const maxFailures = 10;
/** How long a lockout lasts, and how long failures are remembered: 15 minutes. */
const lockoutMillis = 15 * 60_000;
/** Most (name, address) pairs remembered, so a flood of made-up names costs bounded memory. */
const maxTrackedPairs = 10_000;

export type GuardVerdict<T> =
  | { status: 'ok'; value: T }
  | { status: 'bad_credentials' }
  | { status: 'locked'; retryAfterSeconds: number }
  | { status: 'busy' };

// A type, not an interface, so the counters still fit a Record<string, number> for /metrics.
export type SignInCounters = {
  signInRefused: number;
  signInLocked: number;
  signInBusy: number;
};

export class SignInGuard {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly failures = new Map<string, { count: number; firstAtMillis: number }>();

  constructor(
    private readonly counters: SignInCounters,
    private readonly nowMillis: () => number = Date.now,
  ) {}

  /** Runs `verify` (null means wrong name or password) under the limits above. */
  async check<T>(name: string, address: string, verify: () => Promise<T | null>) {
    const key = `${address}\u0000${name}`;
    const locked = this.lockedFor(key);
    if (locked > 0) {
      this.counters.signInLocked++;
      return { status: 'locked', retryAfterSeconds: Math.ceil(locked / 1000) } as const;
    }
    if (this.running >= maxConcurrentChecks && this.waiting.length >= maxWaitingChecks) {
      this.counters.signInBusy++;
      return { status: 'busy' } as const;
    }

    const value = await this.withSlot(verify);
    if (value === null) {
      this.counters.signInRefused++;
      this.recordFailure(key);
      return { status: 'bad_credentials' } as const;
    }
    this.failures.delete(key);
    return { status: 'ok', value } as const;
  }

  private async withSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= maxConcurrentChecks) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private lockedFor(key: string): number {
    const entry = this.failures.get(key);
    if (!entry) return 0;
    const age = this.nowMillis() - entry.firstAtMillis;
    if (age >= lockoutMillis) {
      this.failures.delete(key);
      return 0;
    }
    return entry.count >= maxFailures ? lockoutMillis - age : 0;
  }

  private recordFailure(key: string): void {
    const entry = this.failures.get(key) ?? { count: 0, firstAtMillis: this.nowMillis() };
    entry.count++;
    this.failures.delete(key); // re-inserted last: the map's order is oldest first
    this.failures.set(key, entry);
    if (this.failures.size > maxTrackedPairs) {
      this.failures.delete(this.failures.keys().next().value as string);
    }
  }
}
