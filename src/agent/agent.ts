import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { CallbackV1, MachineSample } from '../protocol/callback-schema.js';
import { loadOrCreateKeyPair } from '../protocol/key-pair.js';
import { ConfigError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { strataVersion } from '../shared/version.js';
import { activate, loadIdentity, saveHubUrl, type ComponentIdentity } from './agent-identity.js';
import { CallbackSpool } from './callback-spool.js';
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
import { collectMachineSample } from './machine-sample.js';
import { restartProcess } from './updater/agent-restart.js';
import { startUpdater } from './updater/agent-updater.js';
import { ensureDataDir } from '../shared/data-dir.js';

/** First wait after a failed delivery, unless the receiver says otherwise: 30 s, doubling. */
const firstRetryMillis = 30_000;
/** Longest wait between delivery attempts: 15 minutes (never longer than the interval). */
const maxRetryMillis = 15 * 60_000;

/** Exponential back-off with ±20% jitter, so agents that failed together retry apart. */
function retryDelayMillis(failures: number): number {
  const base = Math.min(maxRetryMillis, firstRetryMillis * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export interface AgentOptions {
  dataDir: string;
  /** Needed on first start, with `token`; given later, it replaces the saved address. */
  hubUrl?: string;
  token?: string;
  name?: string;
  logger: Logger;
  /** Takes the machine sample; injected by tests that need many callbacks fast. */
  sample?: () => Promise<MachineSample>;
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
  const keys = await loadOrCreateKeyPair(join(options.dataDir, 'agent-key.pem'));
  const identity = await ensureIdentity(options, keys);
  log.info({ componentId: identity.componentId, hub: identity.hubUrl }, 'agent ready');

  const spool = new CallbackSpool(join(options.dataDir, 'spool'));
  const targets = new DeliveryTargets(identity, keys.privateKeyPem, options.dataDir, log);
  // The package list goes out only when it changed since the last callback that carried it.
  const software = new SoftwareTracker(join(options.dataDir, 'software-hash'));
  // Logons are read from where the last spooled callback stopped in wtmp.
  const logons = new LogonTracker(join(options.dataDir, 'wtmp-position.json'));
  const processUsage = new ProcessUsageTracker();
  const loadTimes = await startLoadTimeWatcher();
  const gpu = new GpuTracker();
  const series = new SampleSeriesRecorder({
    intervalSeconds: Number(identity.policy.sampleIntervalSeconds ?? defaultSampleIntervalSeconds),
  });
  series.start();
  const browser = new BrowserSpool(options.browserSpoolDir ?? defaultBrowserSpool(options.dataDir));
  await prepareBrowserSpool(browser.dir).catch((error: Error) =>
    log.warn({ err: error, dir: browser.dir }, 'no browser spool: page timings are not collected'),
  );
  const sample =
    options.sample ??
    (() =>
      collectMachineSample({
        ...{ software, logons, processUsage, gpu },
        ...{ loadTimes, series, browser },
      }));
  const intervalMillis = Number(identity.policy.callbackIntervalSeconds ?? 3_600) * 1000;

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<FlushResult> | null = null;
  let stopped = false;

  // In the background: tagging is opt-in by policy, and callbacks must not wait for it. A stop
  // before it started ends it as soon as it has.
  // Not yet: a hub out of reach at start leaves tagging off until the next start.
  let tagging: ConnectorTagging | undefined;
  void startConnectorTagging({ identity, privateKeyPem: keys.privateKeyPem, log }).then(
    async (started) => {
      if (stopped) await started?.stop();
      else tagging = started;
    },
    (error: unknown) => log.warn({ err: error }, 'connector id tagging did not start'),
  );

  const takeSample = async () => {
    const callback: CallbackV1 = {
      schema: 'strata.callback.v1',
      callbackId: randomUUID(),
      agentVersion: strataVersion,
      ...(await sample()),
    };
    await spool.add(callback);
    await software.markSent(callback.software);
    await logons.markSent(callback.logons !== undefined);
  };

  const deliver = async (): Promise<FlushResult> => {
    await targets.refresh();
    const result = await deliverSpool(spool, targets, log);
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
        log.warn({ reason: result.reason, waiting }, 'callback kept for later');
      }
    }
    return result;
  };

  // One piece of work at a time: a timer firing during a manual callback waits for it.
  const exclusive = async (work: () => Promise<FlushResult>): Promise<FlushResult> => {
    while (running) await running.catch(() => undefined);
    running = work().catch((error: unknown) => {
      log.error({ err: error }, 'callback cycle failed');
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

  // Samples are taken on the policy interval whatever happens to delivery; a failed delivery
  // is retried on its own, backing off, so an outage queues one callback per interval and
  // the agent never floods its spool (or the hub, when it returns) with extra samples.
  let nextSampleAtMillis = Date.now() + intervalMillis;
  let failedDeliveries = 0;
  const tick = async () => {
    const sampleDue = Date.now() >= nextSampleAtMillis;
    if (sampleDue) nextSampleAtMillis = Date.now() + intervalMillis;
    const result = sampleDue ? await callbackNow() : await exclusive(deliver);
    schedule(result);
  };
  const schedule = (result: FlushResult) => {
    if (stopped) return;
    const untilSampleMillis = Math.max(0, nextSampleAtMillis - Date.now());
    failedDeliveries = result.status === 'pending' ? failedDeliveries + 1 : 0;
    const retryMillis =
      result.status === 'pending'
        ? result.retryAfterMillis || retryDelayMillis(failedDeliveries)
        : untilSampleMillis;
    timer = setTimeout(() => void tick(), Math.min(retryMillis, untilSampleMillis));
  };

  // The updater role: new versions from the hub when the policy says autoUpdate.
  const updater = startUpdater({
    ...{ identity, privateKeyPem: keys.privateKeyPem, dataDir: options.dataDir, log },
    restart: (bundlePath) => void agent.stop().then(() => restartProcess(bundlePath)),
  });

  void callbackNow().then(schedule);

  const agent: RunningAgent = {
    identity,
    spool,
    callbackNow,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
      await tagging?.stop();
      await updater.stop();
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
