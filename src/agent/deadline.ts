/**
 * A time limit for one source of machine data. A stale network mount can stall `df` and a
 * dead DNS server can stall a name look-up for a long time; a sample should then go out with
 * that one value missing rather than not at all.
 */

/** Longest wait for one source of machine data before its values are left empty. */
export const sourceDeadlineMillis = 5_000;

/** `work`'s result, or `fallback` if it fails or takes longer than `limitMillis`. */
export function withDeadline<T>(work: Promise<T>, limitMillis: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), limitMillis);
    // Work that never ends must not keep the agent process alive on its own.
    timer.unref();
  });
  const settled = work.catch(() => fallback);
  return Promise.race([settled, expiry]).finally(() => clearTimeout(timer));
}
