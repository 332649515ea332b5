import type { Logger } from '../../shared/logger.js';
import type { Store } from '../../store/store.js';
import { rollupRetention, runRollups } from './rollup-run.js';

/** How often roll-ups run: every hour; the first run a minute after the hub starts. */
export const defaultRollupIntervalMillis = 3_600_000;
const firstRunDelayMillis = 60_000;

export interface RollupSchedule {
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs roll-ups and their retention on a timer. A stand-in until the hub has a job runner;
 * a failed run is logged and the next one catches up, since dirty periods stay marked.
 */
export function startRollupSchedule(options: {
  store: Store;
  log: Logger;
  nowMillis: () => number;
  intervalMillis?: number;
}): RollupSchedule {
  const { store, log, nowMillis } = options;
  const interval = options.intervalMillis ?? defaultRollupIntervalMillis;
  let running: Promise<void> | null = null;
  const run = () => {
    if (running) return; // the previous run is still going; this tick is skipped
    running = (async () => {
      try {
        const built = await runRollups(store, { now: nowMillis() });
        const removed = await rollupRetention(store, nowMillis());
        log.info({ built: countsOf(built), removed }, 'roll-ups brought up to date');
      } catch (error) {
        log.error({ err: error }, 'roll-up run failed; the next run catches up');
      } finally {
        running = null;
      }
    })();
  };
  const first = setTimeout(run, Math.min(firstRunDelayMillis, interval));
  const timer = setInterval(run, interval);
  first.unref();
  timer.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}

function countsOf(built: Record<string, unknown>) {
  return Object.fromEntries(
    Object.entries(built).map(([key, value]) => [key, Array.isArray(value) ? value.length : value]),
  );
}
