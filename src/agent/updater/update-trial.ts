import {
  clearPending,
  fileSha256,
  loadPending,
  markFailed,
  maxStartAttempts,
  rollBack,
  savePending,
  type PendingUpdate,
} from './bundle-swap.js';

/** What a start finds about the last update. */
export type TrialState =
  | { status: 'none' }
  /** The record names a version that is not running: the swap never finished. */
  | { status: 'stale'; pending: PendingUpdate }
  /** The new bundle runs but calls itself another version than it was published as. */
  | { status: 'mislabelled'; pending: PendingUpdate }
  /** This start runs the new version; it is confirmed once it has stayed up a while. */
  | { status: 'on_trial'; pending: PendingUpdate }
  /** The new version started too often without staying up: the previous bundle is back. */
  | { status: 'rolled_back'; pending: PendingUpdate };

/**
 * Runs at every start of the agent: counts the start of a new version on trial and, past
 * `maxStartAttempts`, restores the previous bundle. The caller restarts after a roll-back.
 * A bundle that cannot even load never gets here: the self-check refuses it before the swap.
 * Not yet: a new version that loads but fails in the agent's start before the updater runs
 * (keys, identity, the load-time watcher) is not counted, so the service manager restarts it
 * until its start limit; `mv strata-agent.mjs.previous strata-agent.mjs` then puts the old
 * one back by hand. A small launcher outside the bundle would count those starts too.
 */
export async function beginStart(dataDir: string, runningVersion: string): Promise<TrialState> {
  const pending = await loadPending(dataDir);
  if (!pending) return { status: 'none' };
  if (pending.version !== runningVersion) {
    // The version installed last is not the one running: it reports another version, or it
    // died before it could count its start and someone put the previous one back. Installing
    // it again at the next check would undo that: it is marked, and never installed again
    // (publish a newer release instead). Only a swap that never happened is just forgotten.
    const swapped = (await fileSha256(pending.bundlePath)) === pending.sha256;
    // Without the swap (a crash before the rename) the previous copy is still there; put
    // back by hand, it is gone.
    const putBack = !swapped && (await fileSha256(pending.previousPath)) === null;
    if (swapped || putBack) await markFailed(dataDir, pending.version);
    await clearPending(dataDir);
    return { status: swapped ? 'mislabelled' : 'stale', pending };
  }
  const counted = { ...pending, startAttempts: pending.startAttempts + 1 };
  if (counted.startAttempts > maxStartAttempts) {
    await rollBack(dataDir, counted);
    return { status: 'rolled_back', pending: counted };
  }
  await savePending(dataDir, counted);
  return { status: 'on_trial', pending: counted };
}

/** The new version has stayed up: it is kept, and the next update starts a new trial. */
export async function confirmStart(dataDir: string): Promise<void> {
  await clearPending(dataDir);
}
