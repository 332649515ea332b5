/**
 * What a failed store call means for whoever retries it. Both stores report PostgreSQL's
 * SQLSTATE codes; connection failures from `pg` carry Node's error codes instead.
 */
export type StoreFailure =
  /** A value the store cannot hold (class 22) or a check it refuses (class 23 but 23505). */
  | 'data'
  /** Lost a race with another writer (unique key, deadlock, serialization): retry at once. */
  | 'conflict'
  /** The store cannot be reached or is not taking work now: retry later. */
  | 'unavailable'
  /** Anything else: a bug or a schema that does not match this version. */
  | 'other';

const conflictCodes = new Set(['23505', '40001', '40P01']);
// 57P01-57P03: shut down or starting; 53xxx: out of resources; 55000 covers a database that
// refuses connections (ALLOW_CONNECTIONS false); 3D000: the database does not exist (yet).
const unavailablePrefixes = ['08', '53', '57P', '55000', '3D000'];
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Classifies an error thrown by a store call. */
export function classifyStoreError(error: unknown): StoreFailure {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  if (typeof code === 'string') {
    if (conflictCodes.has(code)) return 'conflict';
    // A row routed to a DEFAULT partition just as its day's partition was attached: the same
    // row goes to the new partition when tried again.
    if (code === '23514' && /violates partition constraint/.test(message)) return 'conflict';
    if (code.startsWith('22') || code.startsWith('23')) return 'data';
    if (unavailablePrefixes.some((prefix) => code.startsWith(prefix))) return 'unavailable';
    if (networkCodes.has(code)) return 'unavailable';
  }
  // pg reports a connection that ends mid-query by message only.
  if (
    /Connection terminated|connection ended|Client has encountered a connection error/i.test(
      message,
    )
  ) {
    return 'unavailable';
  }
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause ? classifyStoreError(cause) : 'other';
}
