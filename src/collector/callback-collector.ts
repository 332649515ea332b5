import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ComponentIdentity } from '../agent/agent-identity.js';
import { ChannelServer } from '../protocol/channel-server.js';
import { loadOrCreateKeyPair } from '../protocol/key-pair.js';
import { RejectionCounter } from '../protocol/rejection.js';
import type { Logger } from '../shared/logger.js';
import { strataVersion } from '../shared/version.js';
import {
  CachedAgentDirectory,
  hubAgentSource,
  storeAgentSource,
} from './callbacks/agent-directory.js';
import { hubSink } from './callbacks/hub-sink.js';
import { IntakeCounters } from './callbacks/intake-counters.js';
import { buildIntakeServer } from './callbacks/intake-server.js';
import { QueueAdmission, type FreeSpaceProbe } from './callbacks/queue-admission.js';
import { ParsedCallbacks } from './callbacks/parsed-callbacks.js';
import { QueueDrainer } from './callbacks/queue-drainer.js';
import { StoreConnection } from './callbacks/store-connection.js';
import { storeSink } from './callbacks/store-sink.js';
import { defaultCollectorConfig, type CollectorConfig } from './collector-config.js';
import { refreshPolicy } from '../agent/policy-refresh.js';
import { takePidLock } from '../shared/pid-lock.js';
import { ensureCollectorIdentity } from './collector-identity.js';
import { HubLink } from './hub-link.js';
import { DiskQueue } from './queue/disk-queue.js';
import { collectorReport } from './collector-report.js';
import { StatusReporter } from './status-reporter.js';

/** Where a callback collector listens unless told otherwise: all interfaces, port 8443. */
export const defaultCollectorHost = '0.0.0.0';
export const defaultCollectorPort = 8443;

export interface CallbackCollectorOptions {
  /** The collector's own folder: keys, identity, queue. */
  dataDir: string;
  /** Needed on first start only, with `token`. */
  hubUrl?: string;
  token?: string;
  name?: string;
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  /** The address agents use to reach this collector (default: http://host:port). */
  advertiseUrl?: string;
  /** A PostgreSQL store to write to directly; without one, batches go through the hub. */
  databaseUrl?: string;
  /** Settings until the hub pushes its own (see CollectorConfig). */
  config?: Partial<CollectorConfig>;
  segmentMaxBytes?: number;
  freeSpace?: FreeSpaceProbe;
  logger: Logger;
  /** The clock for sessions and the agent cache; injected by tests of revocation timing. */
  nowMillis?: () => number;
}

export interface RunningCollector {
  identity: ComponentIdentity;
  /** The key agents wrap their session keys to. */
  publicKeyPem: string;
  url: string;
  queue: DiskQueue;
  counters: IntakeCounters;
  reporter: StatusReporter;
  close(): Promise<void>;
}

/** Starts a callback collector: activates once, recovers its queue, serves agents, drains. */
export async function startCallbackCollector(
  options: CallbackCollectorOptions,
): Promise<RunningCollector> {
  const log = options.logger.child({ component: 'collector' });
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  // Two collectors on one folder would write one queue: the second is refused.
  const releaseLock = await takePidLock(
    join(options.dataDir, 'collector.lock'),
    `the collector data folder ${options.dataDir}`,
  );
  const keys = await loadOrCreateKeyPair(join(options.dataDir, 'collector-key.pem'));
  let identity = await ensureCollectorIdentity(options, keys);
  const hub = new HubLink(identity, keys.privateKeyPem);
  let config: CollectorConfig = { ...defaultCollectorConfig, ...options.config };

  const queueDir = join(options.dataDir, 'queue');
  const { queue, setAside } = await DiskQueue.open({
    dir: queueDir,
    segmentMaxBytes: options.segmentMaxBytes,
  });
  if (setAside.length > 0) log.warn({ setAside }, 'queue damage set aside at start');
  const counters = new IntakeCounters();
  const connection = options.databaseUrl ? new StoreConnection(options.databaseUrl) : null;
  const nowMillis = options.nowMillis ?? Date.now;
  const directory = new CachedAgentDirectory(
    connection ? storeAgentSource(connection) : hubAgentSource(hub),
    nowMillis,
  );
  const channel = new ChannelServer({
    recipientId: identity.componentId,
    privateKeyPem: keys.privateKeyPem,
    senders: directory,
    nowMillis,
  });
  const admission = new QueueAdmission(queue, queueDir, () => config, options.freeSpace);
  await admission.start();

  let accepting = true;
  const parsed = new ParsedCallbacks();
  const rejections = new RejectionCounter();
  const server: FastifyInstance = await buildIntakeServer({
    collectorId: identity.componentId,
    channel,
    queue,
    admission,
    counters,
    rejections,
    log,
    nowMillis,
    accepting: () => accepting,
    parsed,
  });
  const host = options.host ?? defaultCollectorHost;
  await server.listen({ host, port: options.port ?? defaultCollectorPort });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = options.advertiseUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const sink = connection ? storeSink(connection) : hubSink(hub);
  const drainer = new QueueDrainer({
    queue,
    sink,
    counters,
    collectorId: identity.componentId,
    refusedDir: join(options.dataDir, 'refused'),
    batchCallbacks: () => config.drainBatchCallbacks,
    log,
    parsed,
  });
  drainer.start();
  const reporter = new StatusReporter(
    hub,
    () =>
      collectorReport({
        url,
        queue,
        counters,
        rejections,
        drainer,
        directory,
        sink: sink.name,
        version: strataVersion,
      }),
    (pushed) => {
      config = { ...defaultCollectorConfig, ...options.config, ...pushed };
    },
    () => config.reportIntervalSeconds * 1_000,
    log,
    // The certificate follows the collector's policy within a report interval.
    // Not yet: settings in a changed policy apply from the collector's next start.
    async () => {
      const refresh = await refreshPolicy(hub.client, identity, keys.publicKeyPem, options.dataDir);
      if (refresh.status !== 'renewed') return;
      identity = refresh.identity;
      const { policyName, policyVersion } = identity.policy;
      log.info({ policyName, policyVersion }, 'policy changed');
    },
  );
  reporter.start();
  log.info(
    { url, collectorId: identity.componentId, sink: sink.name, queued: queue.stats().records },
    'callback collector started',
  );

  return {
    get identity() {
      return identity;
    },
    publicKeyPem: keys.publicKeyPem,
    url,
    queue,
    counters,
    reporter,
    async close() {
      accepting = false;
      await server.close();
      await drainer.stop();
      await reporter.stop();
      admission.stop();
      await queue.close();
      await sink.close();
      await releaseLock();
      log.info('callback collector stopped');
    },
  };
}
