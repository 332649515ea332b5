import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { CallbackV1, MachineSample } from '../protocol/callback-schema.js';
import { loadOrCreateKeyPair } from '../protocol/key-pair.js';
import {
  familiesOff,
  familySwitch,
  keepFamilies,
  type FamilySwitch,
} from '../protocol/metric-families.js';
import { ConfigError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { strataVersion } from '../shared/version.js';
import { activate, loadIdentity, saveHubUrl, type ComponentIdentity } from './agent-identity.js';
import {
  CallbackSpool,
  defaultOfflineMaxBytes,
  defaultOfflineRetentionDays,
} from './callback-spool.js';
import { DeliveryBackoff } from './delivery-backoff.js';
import { startConnectorTagging, type ConnectorTagging } from './connector-id/connector-tagging.js';
import { deliverSpool } from './callback-delivery.js';
import { DeliveryTargets } from './delivery-targets.js';
import { SoftwareTracker } from './inventory/software-inventory.js';
import { LogonTracker } from './logons/logon-tracker.js';
import { BrowserSpool, defaultBrowserSpool, prepareBrowserSpool } from './browser/browser-sites.js';
import { GpuTracker } from './gpu/gpu-tracker.js';
import { defaultSampleIntervalSeconds, SampleSeriesRecorder } from './series/sample-series.js';
import { startLoadTimeWatcher } from './processes/load-times.js';
import { ProcessUsageTracker } from './processes/process-usage.js';
import { refreshPolicy } from './policy-refresh.js';
import { collectMachineSample } from './machine-sample.js';
import { restartProcess } from './updater/agent-restart.js';
import { startUpdater } from './updater/agent-updater.js';
import { ensureDataDir } from '../shared/data-dir.js';
import { takePidLock } from '../shared/pid-lock.js';

export interface AgentOptions {
  dataDir: string;
  /** Needed on first start, with `token`; given later, it replaces the saved address. */
  hubUrl?: string;
  token?: string;
  name?: string;
  logger: Logger;
  /** Takes the machine sample; injected by tests that need many callbacks fast. */
  /** Takes the sample (tests); it is given which metric families the policy has on. */
  sample?: (on: FamilySwitch) => Promise<MachineSample>;
  /** Where the browser host leaves page timings; default /run/strata/browser as root. */
  browserSpoolDir?: string;
}

export type FlushResult =
  | { status: 'delivered'; delivered: number }
  | {
      status: 'pending';
      delivered: number;
      reason: string;
      /** When the receiver asked for a wait (Retry-After), in ms; 0 when nobody said. */
      retryAfterMillis: number;
    };

export interface RunningAgent {
  identity: ComponentIdentity;
  spool: CallbackSpool;
  /** Samples now and delivers everything waiting; resolves when that attempt ends. */
  callbackNow(): Promise<FlushResult>;
  stop(): Promise<void>;
}

/** Starts an agent: activates it if needed, calls back at once, then on the policy interval. */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const log = options.logger.child({ component: 'agent' });
  await ensureDataDir(options.dataDir);
  // Two agents on one folder would share a spool and an identity: the second is refused.
  const releaseLock = await takePidLock(
    join(options.dataDir, 'agent.lock'),
    `the agent data folder ${options.dataDir}`,
  );
  const keys = await loadOrCreateKeyPair(join(options.dataDir, 'agent-key.pem'));
  let identity = await ensureIdentity(options, keys);
  log.info({ componentId: identity.componentId, hub: identity.hubUrl }, 'agent ready');

  // While nobody answers, callbacks wait on disk for the days the policy says, 14 by default.
  const spoolLimits = () => ({
    retentionDays: policyNumber(identity.policy.offlineRetentionDays, defaultOfflineRetentionDays),
    maxBytes: policyNumber(identity.policy.offlineMaxBytes, defaultOfflineMaxBytes),
  });
  const spool = new CallbackSpool({ dir: join(options.dataDir, 'spool'), ...spoolLimits(), log });
  await spool.open();
  const targets = new DeliveryTargets(identity, keys.privateKeyPem, options.dataDir, log);
  // The package list goes out only when it changed since the last callback that carried it.
  const software = new SoftwareTracker(join(options.dataDir, 'software-hash'));
  // Logons are read from where the last spooled callback stopped in wtmp.
  const logons = new LogonTracker(join(options.dataDir, 'wtmp-position.json'));
  const processUsage = new ProcessUsageTracker();
  const loadTimes = await startLoadTimeWatcher();
  const gpu = new GpuTracker();
  // The metric families the policy has on; an off family is neither collected nor sent.
  const families = () => familySwitch(identity.policy.metricFamilies);
  const series = new SampleSeriesRecorder({
    intervalSeconds: Number(identity.policy.sampleIntervalSeconds ?? defaultSampleIntervalSeconds),
  });
  const followSeries = () => {
    series.setIntervalSeconds(Number(identity.policy.sampleIntervalSeconds ?? NaN));
    if (families()('series')) series.start();
    else series.stop();
  };
  followSeries();
  const browser = new BrowserSpool(options.browserSpoolDir ?? defaultBrowserSpool(options.dataDir));
  await prepareBrowserSpool(browser.dir).catch((error: Error) =>
    log.warn({ err: error, dir: browser.dir }, 'no browser spool: page timings are not collected'),
  );
  const sample =
    options.sample ??
    ((on: FamilySwitch) =>
      collectMachineSample({
        ...(on('processes') ? {} : { maxProcesses: 0 }),
        ...(on('software') ? { software } : {}),
        ...(on('logons') ? { logons } : {}),
        ...(on('usage') || on('hungProcesses') ? { processUsage } : {}),
        // Load times are gathered as processes start; an off family is still drained (and
        // thrown away) so that nothing piles up until the policy turns it back on.
        loadTimes,
        ...(on('gpu') ? { gpu } : {}),
        ...(on('series') ? { series } : {}),
        ...(on('browser') ? { browser } : {}),
        inventory: on('inventory'),
        displaySessions: on('displaySessions'),
      }));
  const policyInterval = () => Number(identity.policy.callbackIntervalSeconds ?? 3_600) * 1000;
  let intervalMillis = policyInterval();

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<FlushResult> | null = null;
  let stopped = false;

  // In the background: tagging is opt-in by policy, and callbacks must not wait for it. A stop
  // before it started ends it as soon as it has. A policy whose Connector ID part changed
  // starts it anew, so a group turned on or off follows within a callback.
  // Not yet: a hub out of reach at start leaves tagging off until the next start or change.
  let tagging: ConnectorTagging | undefined;
  let taggingTurn: Promise<void> = Promise.resolve();
  const restartTagging = () => {
    taggingTurn = taggingTurn.then(async () => {
      await tagging?.stop();
      tagging = undefined;
      if (stopped) return;
      try {
        const started = await startConnectorTagging({
          identity,
          privateKeyPem: keys.privateKeyPem,
          log,
        });
        if (stopped) await started?.stop();
        else tagging = started;
      } catch (error) {
        log.warn({ err: error }, 'connector id tagging did not start');
      }
    });
  };
  restartTagging();

  // With every callback: a policy changed on the hub arrives as a new certificate.
  const followPolicy = async () => {
    const refresh = await refreshPolicy(
      targets.hub.client,
      identity,
      keys.publicKeyPem,
      options.dataDir,
    );
    if (refresh.status === 'unchanged') log.debug({ reason: refresh.reason }, 'policy not checked');
    if (refresh.status !== 'renewed') return;
    const taggingBefore = JSON.stringify(identity.policy.connectorId ?? null);
    identity = refresh.identity;
    if (JSON.stringify(identity.policy.connectorId ?? null) !== taggingBefore) restartTagging();
    intervalMillis = policyInterval();
    spool.setLimits(spoolLimits());
    followSeries();
    updater.followPolicy(identity.policy);
    nextSampleAtMillis = Math.min(nextSampleAtMillis, Date.now() + intervalMillis);
    const { policyName, policyVersion, callbackIntervalSeconds } = identity.policy;
    const off = familiesOff(families());
    log.info({ policyName, policyVersion, callbackIntervalSeconds, off }, 'policy changed');
  };

  const takeSample = async () => {
    await followPolicy();
    const callback: CallbackV1 = {
      schema: 'strata.callback.v1',
      callbackId: randomUUID(),
      agentVersion: strataVersion,
      ...keepFamilies(await sample(families()), families()),
      // Drops so far, so the hub sees what an outage cost even when the dropped never arrive.
      spoolDrops: { ...spool.dropped },
    };
    await spool.add(callback);
    await software.markSent(callback.software);
    await logons.markSent(callback.logons !== undefined);
  };

  const backoff = new DeliveryBackoff();
  const deliver = async (): Promise<FlushResult> => {
    await targets.refresh();
    const result = await deliverSpool(spool, targets, log);
    if (result.status === 'delivered') backoff.succeeded();
    else backoff.failed(result.retryAfterMillis, result.delivered > 0);
    if (result.status === 'pending') {
      const waiting = (await spool.names()).length;
      if (/^(revoked_sender|unknown_sender|certificate_expired)\b/.test(result.reason)) {
        // Retrying cannot help, but the callbacks are kept: a new activation can still send them.
        log.error(
          { reason: result.reason, waiting },
          `the hub no longer accepts this agent; move ${join(options.dataDir, 'identity.json')} ` +
            'aside and start the agent with a new activation token',
        );
      } else {
        const retryInMillis = backoff.waitMillis();
        log.warn({ reason: result.reason, waiting, retryInMillis }, 'callbacks kept for later');
      }
    }
    return result;
  };

  // One piece of work at a time: a timer firing during a manual callback waits for it.
  const exclusive = async (work: () => Promise<FlushResult>): Promise<FlushResult> => {
    while (running) await running.catch(() => undefined);
    running = work().catch((error: unknown) => {
      log.error({ err: error }, 'callback cycle failed');
      backoff.failed(0); // whatever broke, the next try waits its turn like any failure
      return {
        status: 'pending',
        delivered: 0,
        reason: String(error),
        retryAfterMillis: 0,
      } as const;
    });
    try {
      return await running;
    } finally {
      running = null;
    }
  };

  const callbackNow = () =>
    exclusive(async () => {
      await takeSample();
      return deliver();
    });

  // Samples are taken on the policy interval whatever happens to delivery. A failed delivery
  // is retried on its own, backing off (see DeliveryBackoff); a sample that falls due while the
  // agent backs off is only spooled, so an outage queues one callback per interval and the
  // receivers are not asked again before the back-off or their Retry-After has passed.
  let nextSampleAtMillis = Date.now() + intervalMillis;
  const sampleOnly = async (): Promise<FlushResult> => {
    await takeSample();
    return { status: 'pending', delivered: 0, reason: 'backing off', retryAfterMillis: 0 };
  };
  const tick = async () => {
    const sampleDue = Date.now() >= nextSampleAtMillis;
    if (sampleDue) nextSampleAtMillis = Date.now() + intervalMillis;
    if (!backoff.ready()) {
      if (sampleDue) await exclusive(sampleOnly);
    } else if (sampleDue) await callbackNow();
    else await exclusive(deliver);
    schedule();
  };
  const schedule = () => {
    if (stopped) return;
    const untilSampleMillis = Math.max(0, nextSampleAtMillis - Date.now());
    const untilRetryMillis = backoff.failedPasses > 0 ? backoff.waitMillis() : untilSampleMillis;
    timer = setTimeout(() => void tick(), Math.min(untilRetryMillis, untilSampleMillis));
  };

  // The updater role: new versions from the hub when the policy says autoUpdate.
  const updater = startUpdater({
    ...{ identity, privateKeyPem: keys.privateKeyPem, dataDir: options.dataDir, log },
    restart: (bundlePath) => void agent.stop().then(() => restartProcess(bundlePath)),
  });

  void callbackNow().then(() => schedule());

  const agent: RunningAgent = {
    get identity() {
      return identity;
    },
    spool,
    callbackNow,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
      await tagging?.stop();
      await updater.stop();
      await releaseLock();
      loadTimes?.stop();
      series.stop();
      log.info('agent stopped');
    },
  };
  return agent;
}

async function ensureIdentity(
  options: AgentOptions,
  keys: { privateKeyPem: string; publicKeyPem: string },
): Promise<ComponentIdentity> {
  const saved = await loadIdentity(options.dataDir);
  // A hub that moved (a new port on each `strata start --port 0`, a new host) is followed:
  // an address given now replaces the saved one. Messages stay sealed for the hub key saved
  // at activation, so a wrong address reaches nobody who can read them.
  if (saved && options.token) {
    // The saved identity stands; a token given anyway is kept unused, and said so.
    options.logger.warn(
      { componentId: saved.componentId },
      `already activated: --token is not used; to activate anew, move ` +
        `${join(options.dataDir, 'identity.json')} aside first`,
    );
  }
  if (saved && options.hubUrl && options.hubUrl !== saved.hubUrl) {
    return saveHubUrl(options.dataDir, saved, options.hubUrl);
  }
  if (saved) return saved;
  if (!options.hubUrl || !options.token) {
    throw new ConfigError(
      'this agent is not activated yet: pass --hub <url> and --token <activation token> ' +
        '(create a token on the hub with `strata admin activation-token create`)',
    );
  }
  return activate({
    dataDir: options.dataDir,
    hubUrl: options.hubUrl,
    token: options.token,
    kind: 'agent',
    name: options.name ?? hostname(),
    keys,
  });
}

/** A positive number from the policy, or the default when the policy has none (or nonsense). */
function policyNumber(value: unknown, fallback: number): number {
  const number = Number(value ?? fallback);
  return Number.isFinite(number) && number > 0 ? number : fallback;
}
