import { ChannelClient } from '../../protocol/channel-client.js';
import { httpTransport } from '../../protocol/http-transport.js';
import {
  openSignedManifest,
  releaseBundlePath,
  type ReleaseRefusal,
} from '../../protocol/release-manifest.js';
import { compareVersions } from '../../protocol/release-version.js';
import type { Logger } from '../../shared/logger.js';
import { strataVersion } from '../../shared/version.js';
import type { ComponentIdentity } from '../agent-identity.js';
import { selfCheck } from './bundle-self-check.js';
import { failedVersions, installBundle } from './bundle-swap.js';
import { downloadBundle } from './release-download.js';
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

/** What one check for a newer release came to. */
export type UpdateOutcome =
  | { status: 'off' }
  | { status: 'current' }
  | { status: 'unreachable'; detail: string }
  | { status: 'refused'; reason: ReleaseRefusal; version?: string }
  | { status: 'skipped'; version: string; detail: string }
  | { status: 'installed'; version: string; bundlePath: string; previousPath: string };

export interface Updater {
  /** Asks the hub now and installs a newer release when the policy allows it. */
  checkNow(): Promise<UpdateOutcome>;
  /** Releases refused since the start, by reason. */
  readonly refusals: Readonly<Record<string, number>>;
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
  const policy = updatePolicyOf(options.identity.policy);
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
    const answer = await hub.request('/api/v1/agent/release', { version: runningVersion });
    if (answer.kind !== 'reply') return { status: 'unreachable', detail: answer.code };
    const offered = (answer.body as { release?: unknown }).release;
    if (offered === null || offered === undefined) return { status: 'current' };

    const opened = openSignedManifest(offered, options.identity.caCertificatePem);
    if (opened.status === 'refused') return refuse(opened.reason, opened.detail);
    const { manifest } = opened;
    if (compareVersions(manifest.version, runningVersion) <= 0) {
      const detail = `${manifest.version} is not newer than ${runningVersion}`;
      return refuse('downgrade', detail, manifest.version);
    }
    if ((await failedVersions(options.dataDir)).has(manifest.version)) {
      const detail = 'it did not stay up when installed before';
      return { status: 'skipped', version: manifest.version, detail };
    }
    if (!bundlePath) {
      const detail = 'the agent does not run from a bundle file (.mjs) it could replace';
      return { status: 'skipped', version: manifest.version, detail };
    }

    const url = new URL(releaseBundlePath(manifest.version), options.identity.hubUrl);
    const download = await downloadBundle(url, manifest);
    if (download.status === 'failed') return { status: 'unreachable', detail: download.detail };
    if (download.status === 'refused') {
      const detail = 'the bundle does not match its signed manifest';
      return refuse(download.reason, detail, manifest.version);
    }
    const installed = await installBundle({
      ...{ dataDir: options.dataDir, bundlePath, bundle: download.bundle },
      ...{ version: manifest.version, runningVersion },
      check: (staged) => selfCheck(staged, manifest.version),
    });
    if (installed.status === 'check_failed') {
      return refuse('failed_self_check', installed.detail, manifest.version);
    }
    log.info(
      { version: manifest.version, previous: runningVersion, bundlePath },
      'new agent version installed; restarting into it',
    );
    const { previousPath } = installed.pending;
    return { status: 'installed', version: manifest.version, bundlePath, previousPath };
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

  const scheduleChecks = (delayMillis: number) =>
    later(delayMillis, () => {
      void checkNow()
        .catch((error: unknown) => log.warn({ err: error }, 'agent release check failed'))
        .then((outcome) => {
          if (outcome?.status !== 'installed') scheduleChecks(policy.checkIntervalMillis);
        });
    });

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
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
