import { ChannelClient } from '../../protocol/channel-client.js';
import { httpTransport } from '../../protocol/http-transport.js';
import type { ReleaseRefusal } from '../../protocol/release-manifest.js';
import type { Logger } from '../../shared/logger.js';
import { strataVersion } from '../../shared/version.js';
import type { ComponentIdentity } from '../agent-identity.js';
import { checkForRelease, type UpdateOutcome } from './release-check.js';
import { runningBundlePath } from './running-bundle.js';
import { beginStart, confirmStart } from './update-trial.js';
import { updatePolicyOf } from './update-policy.js';

/** How long a new version must stay up before it is kept: 2 minutes. */
export const confirmAfterMillis = 2 * 60_000;
/** Wait before the first check after a start: 1 minute (or the interval if shorter), plus up
 * to 10% of the interval, so that agents started together ask apart. */
export const firstCheckMillis = 60_000;

export interface UpdaterOptions {
  identity: ComponentIdentity;
  privateKeyPem: string;
  dataDir: string;
  log: Logger;
  /** Called once the new bundle is in place (or the previous one is back): stop and restart. */
  restart: (bundlePath: string) => void;
  /** The bundle this process runs from; default: the `.mjs` file Node.js was started with. */
  bundlePath?: string | null;
  /** The running version (default: this build's); tests pretend to be older or newer. */
  runningVersion?: string;
  /** False: no timer, checks only through `checkNow` (tests). Default true. */
  schedule?: boolean;
}

export type { UpdateOutcome };

export interface Updater {
  /** Asks the hub now and installs a newer release when the policy allows it. */
  checkNow(): Promise<UpdateOutcome>;
  /** Releases refused since the start, by reason. */
  readonly refusals: Readonly<Record<string, number>>;
  /** Takes the update settings of a changed policy: checks start or stop accordingly. */
  followPolicy(policy: Record<string, unknown>): void;
  stop(): Promise<void>;
}

/**
 * The agent's updater role. When the policy says `autoUpdate: true`, it asks the hub every
 * `updateCheckSeconds` over the sealed channel for a newer release, checks the manifest's
 * signature against the CA pinned at activation, refuses downgrades, fetches the bundle over
 * plain HTTP, checks its size and SHA-256, swaps it in and asks for a restart. A new version
 * that does not stay up is rolled back by the next starts (see update-trial.ts).
 */
export function startUpdater(options: UpdaterOptions): Updater {
  const log = options.log.child({ component: 'updater' });
  let policy = updatePolicyOf(options.identity.policy);
  // True while a chain of scheduled checks runs; it ends when the policy turns updates off.
  let checking = false;
  const runningVersion = options.runningVersion ?? strataVersion;
  const bundlePath =
    options.bundlePath === undefined ? runningBundlePath() : (options.bundlePath ?? null);
  const refusals: Record<string, number> = {};
  const hub = new ChannelClient({
    componentId: options.identity.componentId,
    privateKeyPem: options.privateKeyPem,
    recipientId: options.identity.hubId,
    recipientPublicKeyPem: options.identity.hubPublicKeyPem,
    transport: httpTransport(options.identity.hubUrl),
  });
  const timers = new Set<NodeJS.Timeout>();
  let running: Promise<UpdateOutcome> | null = null;
  let stopped = false;

  const later = (millis: number, work: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) work();
    }, millis);
    timer.unref();
    timers.add(timer);
  };

  // Not yet: the counts stay in this process and its log; the hub sees them once callbacks
  // carry the agent's own health figures.
  const refuse = (reason: ReleaseRefusal, detail: string, version?: string): UpdateOutcome => {
    refusals[reason] = (refusals[reason] ?? 0) + 1;
    log.warn({ reason, version, refused: refusals[reason] }, `agent release refused: ${detail}`);
    return { status: 'refused', reason, version };
  };

  const check = async (): Promise<UpdateOutcome> => {
    if (!policy.autoUpdate) return { status: 'off' };
    return checkForRelease({ ...options, log, hub, runningVersion, bundlePath, refuse });
  };

  const checkNow = async (): Promise<UpdateOutcome> => {
    while (running) await running.catch(() => undefined);
    running = check();
    try {
      const outcome = await running;
      if (outcome.status === 'installed') setImmediate(() => options.restart(outcome.bundlePath));
      else if (outcome.status === 'skipped') log.info(outcome, 'newer agent release not installed');
      return outcome;
    } finally {
      running = null;
    }
  };

  const scheduleChecks = (delayMillis: number) => {
    checking = true;
    later(delayMillis, () => {
      if (!policy.autoUpdate) {
        checking = false;
        return;
      }
      void checkNow()
        .catch((error: unknown) => log.warn({ err: error }, 'agent release check failed'))
        .then((outcome) => {
          if (outcome?.status !== 'installed') scheduleChecks(policy.checkIntervalMillis);
        });
    });
  };

  void beginStart(options.dataDir, runningVersion).then(
    (trial) => {
      if (trial.status === 'rolled_back') {
        log.error(
          { version: trial.pending.version, restored: trial.pending.previousVersion },
          'the new agent version did not stay up; the previous one is back, restarting into it',
        );
        setImmediate(() => options.restart(trial.pending.bundlePath));
        return;
      }
      if (trial.status === 'mislabelled') {
        log.warn(
          { published: trial.pending.version, reports: runningVersion },
          'the installed agent bundle reports another version than it was published as; ' +
            'it is kept, and that release is not installed again',
        );
      }
      if (trial.status === 'on_trial') {
        later(confirmAfterMillis, () => {
          void confirmStart(options.dataDir).then(() =>
            log.info({ version: runningVersion }, 'agent version confirmed'),
          );
        });
      }
      if (options.schedule === false || !policy.autoUpdate) return;
      const { checkIntervalMillis } = policy;
      const spreadMillis = Math.random() * 0.1 * checkIntervalMillis;
      scheduleChecks(Math.min(firstCheckMillis, checkIntervalMillis) + spreadMillis);
    },
    (error: unknown) => log.warn({ err: error }, 'cannot read the state of the last update'),
  );

  return {
    checkNow,
    refusals,
    followPolicy(next) {
      policy = updatePolicyOf(next);
      if (policy.autoUpdate && !checking && options.schedule !== false)
        scheduleChecks(Math.min(firstCheckMillis, policy.checkIntervalMillis));
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
