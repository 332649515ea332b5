import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
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
import { collectMachineSample } from './machine-sample.js';

/** Wait after a failed delivery before trying again, unless the hub says otherwise: 60 s. */
const retryAfterFailureMillis = 60_000;

export interface AgentOptions {
  dataDir: string;
  /** Needed on first start, with `token`; given later, it replaces the saved address. */
  hubUrl?: string;
  token?: string;
  name?: string;
  logger: Logger;
  /** Takes the machine sample; injected by tests that need many callbacks fast. */
  sample?: () => Promise<MachineSample>;
}

export type FlushResult =
  | { status: 'delivered'; delivered: number }
  | { status: 'pending'; delivered: number; reason: string; retryAfterMillis: number };

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
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const keys = await loadOrCreateKeyPair(join(options.dataDir, 'agent-key.pem'));
  const identity = await ensureIdentity(options, keys);
  log.info({ componentId: identity.componentId, hub: identity.hubUrl }, 'agent ready');

  const spool = new CallbackSpool(join(options.dataDir, 'spool'));
  const targets = new DeliveryTargets(identity, keys.privateKeyPem, options.dataDir, log);
  const sample = options.sample ?? (() => collectMachineSample());
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

  const cycle = async (): Promise<FlushResult> => {
    const callback: CallbackV1 = {
      schema: 'strata.callback.v1',
      callbackId: randomUUID(),
      agentVersion: strataVersion,
      ...(await sample()),
    };
    await spool.add(callback);
    await targets.refresh();
    const result = await deliverSpool(spool, targets, log);
    if (result.status === 'pending') {
      log.warn(
        { reason: result.reason, waiting: (await spool.names()).length },
        'callback kept for later',
      );
    }
    return result;
  };

  const schedule = (delayMillis: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      void callbackNow().then((result) =>
        schedule(
          result.status === 'pending'
            ? Math.min(result.retryAfterMillis, intervalMillis)
            : intervalMillis,
        ),
      );
    }, delayMillis);
  };

  const callbackNow = async (): Promise<FlushResult> => {
    // One cycle at a time: a timer firing during a manual callback waits for it.
    while (running) await running.catch(() => undefined);
    running = cycle().catch((error: unknown) => {
      log.error({ err: error }, 'callback cycle failed');
      return {
        status: 'pending',
        delivered: 0,
        reason: String(error),
        retryAfterMillis: retryAfterFailureMillis,
      } as const;
    });
    try {
      return await running;
    } finally {
      running = null;
    }
  };

  const first = callbackNow();
  void first.then((result) =>
    schedule(
      result.status === 'pending'
        ? Math.min(result.retryAfterMillis, intervalMillis)
        : intervalMillis,
    ),
  );

  return {
    identity,
    spool,
    callbackNow,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
      await tagging?.stop();
      log.info('agent stopped');
    },
  };
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
