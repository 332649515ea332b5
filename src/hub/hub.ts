import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ChannelServer } from '../protocol/channel-server.js';
import { RejectionCounter } from '../protocol/rejection.js';
import { ConfigError } from '../shared/errors.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { takePidLock } from '../shared/pid-lock.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { componentDirectory } from './component-directory.js';
import { controlSocketName, startControlSocket } from './control-socket.js';
import {
  defaultCallbackIntervalSeconds,
  defaultMaxCollectors,
  minCallbackIntervalSeconds,
  type AgentPolicy,
  type HubContext,
} from './hub-context.js';
import { loadHubIdentity } from './hub-identity.js';
import { buildHubServer, type HubRoute } from './hub-server.js';
import { ensureDefaultPolicies } from './policies/policy-store.js';
import { ensureFirstAdministrator } from './people.js';
import { rollupJob, rollupRetentionRule } from './rollups/rollup-job.js';
import { SignInGuard } from './sign-in-guard.js';
import { JobRunner } from './jobs/job-runner.js';
import { partitionMaintenanceJob } from './jobs/partition-maintenance.js';
import { retentionJob } from './jobs/retention-job.js';
import { detailRetentionRule } from './retention/detail-retention.js';
import { ensureDataDir } from '../shared/data-dir.js';

/** Where the hub listens unless told otherwise: loopback only, port 8080. */
export const defaultHubHost = '127.0.0.1';
export const defaultHubPort = 8080;
/**
 * Scheduled jobs wait this long after the hub starts before their first run (20 s), so that
 * the first start's 96 new partitions do not hold up the hub's and the first agents' start.
 */
const jobsStartupGraceMillis = 20_000;

export interface HubOptions {
  /** Folder for keys, the embedded store and the first password. */
  dataDir: string;
  /** A PostgreSQL server; without one the embedded store in `<dataDir>/store` is used. */
  databaseUrl?: string;
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  /** Callback interval given to new agents, in seconds (default 3600, at least 10). */
  callbackIntervalSeconds?: number;
  /** The default agent policy's interval when the hub makes it and none is given (3600). */
  firstCallbackIntervalSeconds?: number;
  /** Most active collectors (default 10). */
  maxCollectors?: number;
  /** Update fields of the policy given to new agents (default: no automatic updates). */
  agentUpdates?: Pick<AgentPolicy, 'autoUpdate' | 'updateCheckSeconds'>;
  logger?: Logger;
  nowMillis?: () => number;
  /**
   * Whether this hub runs the scheduled jobs (partition maintenance, retention) on its own
   * timer; default true. With false they run only when asked (`context.jobs.runJobNow`).
   */
  scheduledJobs?: boolean;
}

export interface RunningHub {
  url: string;
  context: HubContext;
  /** Set on the first start only: the generated password of the first administrator. */
  firstAdministrator: { name: string; password: string; passwordFile: string } | null;
  /** Every route the hub serves, for checks that must cover them all. */
  routes: readonly HubRoute[];
  close(): Promise<void>;
}

/** Starts a hub: opens and migrates the store, loads its identity, and starts serving. */
export async function startHub(options: HubOptions): Promise<RunningHub> {
  const interval =
    options.callbackIntervalSeconds ??
    options.firstCallbackIntervalSeconds ??
    defaultCallbackIntervalSeconds;
  if (!Number.isFinite(interval) || interval < minCallbackIntervalSeconds) {
    throw new ConfigError(`the callback interval must be at least ${minCallbackIntervalSeconds} s`);
  }
  const rootLog = options.logger ?? createLogger();
  const log = rootLog.child({ component: 'hub' });
  await ensureDataDir(options.dataDir);
  const releaseLock = options.databaseUrl
    ? async () => undefined
    : await takePidLock(join(options.dataDir, 'hub.lock'), `the data folder ${options.dataDir}`);

  let store: Store | null = null;
  let app: FastifyInstance | null = null;
  let control: FastifyInstance | null = null;
  let jobs: JobRunner | null = null;
  try {
    const opened = await openStore({
      databaseUrl: options.databaseUrl,
      embeddedDir: join(options.dataDir, 'store'),
    });
    store = opened;
    const identity = await loadHubIdentity(opened, options.dataDir);
    const firstAdministrator = await ensureFirstAdministrator(opened, options.dataDir);
    const explicitPolicy = {
      ...(options.callbackIntervalSeconds === undefined
        ? {}
        : { callbackIntervalSeconds: interval }),
      ...options.agentUpdates,
    };
    await ensureDefaultPolicies(
      opened,
      { callbackIntervalSeconds: interval, ...options.agentUpdates },
      explicitPolicy,
    );
    const nowMillis = options.nowMillis ?? Date.now;
    const counters = {
      callbacksStored: 0,
      callbacksDuplicate: 0,
      signInRefused: 0,
      signInLocked: 0,
      signInBusy: 0,
      releaseChecks: 0,
      releaseBundlesServed: 0,
      exportsStarted: 0,
      exportsCompleted: 0,
      exportsStopped: 0,
      exportRows: 0,
    };
    const retentionRules = [detailRetentionRule(), rollupRetentionRule()];
    jobs = new JobRunner({
      store: opened,
      jobs: [partitionMaintenanceJob(), retentionJob(() => retentionRules), rollupJob()],
      log: rootLog.child({ component: 'jobs' }),
      nowMillis,
      firstCheckDelayMillis: jobsStartupGraceMillis,
    });
    const context: HubContext = {
      store: opened,
      identity,
      channel: new ChannelServer({
        recipientId: identity.hubId,
        privateKeyPem: identity.hubKeys.privateKeyPem,
        senders: componentDirectory(opened),
        nowMillis,
      }),
      rejections: new RejectionCounter(),
      log,
      dataDir: options.dataDir,
      nowMillis,
      counters,
      signInGuard: new SignInGuard(counters, nowMillis),
      maxCollectors: options.maxCollectors ?? defaultMaxCollectors,
      jobs,
      retentionRules,
    };
    const built = await buildHubServer(context);
    app = built.app;
    const host = options.host ?? defaultHubHost;
    await app.listen({ host, port: options.port ?? defaultHubPort });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    control = await startControlSocket(
      join(options.dataDir, controlSocketName),
      opened,
      identity.caPin,
      identity.caKeys.privateKeyPem,
    );
    log.info(
      { url, store: opened.location, storeKind: opened.kind, hubId: identity.hubId },
      'hub started',
    );

    if (options.scheduledJobs ?? true) jobs.start();

    const running = { app, control, store: opened, jobs };
    return {
      url,
      context,
      firstAdministrator,
      routes: built.routes,
      async close() {
        await running.control.close();
        await running.app.close();
        await running.jobs.stop();
        await running.store.close();
        await releaseLock();
        log.info('hub stopped');
      },
    };
  } catch (error) {
    await control?.close().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await jobs?.stop().catch(() => undefined);
    await store?.close().catch(() => undefined);
    await releaseLock();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new ConfigError(
        `port ${options.port ?? defaultHubPort} is already in use; ` +
          'stop what holds it or pass --port',
      );
    }
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (['ENOTFOUND', 'EADDRNOTAVAIL', 'EAI_AGAIN'].includes(code)) {
      throw new ConfigError(
        `cannot listen on ${options.host} (${code}): give --host an address of this machine, ` +
          'such as 127.0.0.1 or 0.0.0.0',
      );
    }
    throw error;
  }
}
