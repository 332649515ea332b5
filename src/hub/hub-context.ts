import type { ChannelServer } from '../protocol/channel-server.js';
import type { RejectionCounter } from '../protocol/rejection.js';
import type { Logger } from '../shared/logger.js';
import type { Store } from '../store/store.js';
import type { HubIdentity } from './hub-identity.js';
import type { JobRunner } from './jobs/job-runner.js';
import type { RetentionRule } from './retention/retention-rules.js';
import type { SignInCounters, SignInGuard } from './sign-in-guard.js';

/** Smallest callback interval a policy may set, in seconds (for tests and demos). */
export const minCallbackIntervalSeconds = 10;
/** Callback interval of the default policy, in seconds: hourly. */
export const defaultCallbackIntervalSeconds = 3_600;
/** Most active collectors a site may have unless a setting raises it: 10. */
export const defaultMaxCollectors = 10;

/** Policy an agent receives in its certificate. */
export interface AgentPolicy {
  callbackIntervalSeconds: number;
  /** Whether agents install newer releases from the hub on their own; off unless true. */
  autoUpdate?: boolean;
  /** How often agents ask for a newer release, in seconds (default 21,600: 6 hours). */
  updateCheckSeconds?: number;
}

/** Agents' questions for a newer release, and release bundles sent to them. */
export type ReleaseCounters = { releaseChecks: number; releaseBundlesServed: number };

/** List exports: started, read to the end, stopped early (client gone, store failed), rows. */
export type ExportCounters = {
  exportsStarted: number;
  exportsCompleted: number;
  exportsStopped: number;
  exportRows: number;
};

/** What every part of a running hub shares. */
export interface HubContext {
  store: Store;
  identity: HubIdentity;
  channel: ChannelServer;
  rejections: RejectionCounter;
  log: Logger;
  dataDir: string;
  /** The hub's clock, injected so tests can move it (certificate expiry, session ends). */
  nowMillis: () => number;
  counters: { callbacksStored: number; callbacksDuplicate: number } & SignInCounters &
    ReleaseCounters &
    ExportCounters;
  /** Limits password checks at once and locks out repeated failures. */
  signInGuard: SignInGuard;
  /** Most active collectors; activating one more is refused with `collector_limit`. */
  maxCollectors: number;
  /** Scheduled jobs (partition maintenance, retention, and any a module adds). */
  jobs: JobRunner;
  /**
   * What the retention job removes, rule by rule: detail first. Modules with data of their own
   * (roll-ups) push a rule here; the retention job reads the list at every run.
   */
  retentionRules: RetentionRule[];
}
