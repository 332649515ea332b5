import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComponentIdentity } from '../agent/agent-identity.js';
import { refreshPolicy } from '../agent/policy-refresh.js';
import { startTagVerification, type TagVerification } from './connector-tag-policy.js';
import type { ConnectorTagDecoder } from './network/attribution.js';
import { loadOrCreateKeyPair } from '../protocol/key-pair.js';
import type { Logger } from '../shared/logger.js';
import type { CaptureSource } from './capture/capture-source.js';
import { activatedCollector, policyDeliverySeconds } from './collector-activation.js';
import { FlowOutbox } from './flow-delivery/flow-outbox.js';
import { FlowSender, type StoredAnswer } from './flow-delivery/flow-sender.js';
import {
  newDeliveryCounters,
  type NetworkCollectorStatus,
} from './flow-delivery/network-status.js';
import { HubLink } from './hub-link.js';
import { FlowTracker } from './network/flow-tracker.js';
import { IntervalExporter } from './network/interval-exporter.js';
import { DiskQueue } from './queue/disk-queue.js';

const clockTickMillis = 1_000; // a live capture's clock moves at least this often
const defaultPolicyCheckSeconds = 60;

export interface NetworkCollectorOptions {
  /** The collector's folder (shared with its callback role): keys, identity, queues. */
  dataDir: string;
  /** Needed on first start only, with `token`. */
  hubUrl?: string;
  token?: string;
  name?: string;
  source: CaptureSource;
  /** How often batches go to the hub until it says otherwise, seconds; default 60. */
  deliverySeconds?: number;
  /** Length of a flow record's interval, seconds of capture time; default 60. */
  intervalSeconds?: number;
  /**
   * A capture filter given on the command line: it wins over the policy's `network.filter`.
   * Without it a live source captures with the policy's filter and follows its changes.
   */
  filter?: string;
  /** How often the collector asks the hub whether its policy changed; default 60 s. */
  policyCheckSeconds?: number;
  /** Read Connector ID tags with the site's keys from the hub; default true. */
  connectorTags?: boolean;
  logger: Logger;
}

export interface RunningNetworkCollector {
  identity: ComponentIdentity;
  queue: DiskQueue;
  sender: FlowSender;
  status(): NetworkCollectorStatus;
  /** Settles when the source has no more packets (the end of a file) and all is on disk. */
  inputDone: Promise<void>;
  /** Asks the hub for a changed policy now and applies it (tests; it also runs on a timer). */
  checkPolicy(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the network role: measures the source's traffic, keeps a record per connection and
 * interval in a queue on disk, and sends the queue to the hub. Stopping it ends the open
 * connections and writes their records, which go to the hub after the next start.
 */
export async function startNetworkCollector(
  options: NetworkCollectorOptions,
): Promise<RunningNetworkCollector> {
  const log = options.logger.child({ component: 'network-collector' });
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const keys = await loadOrCreateKeyPair(join(options.dataDir, 'collector-key.pem'));
  let identity = await activatedCollector(options, keys);
  const hub = new HubLink(identity, keys.privateKeyPem);
  const { queue, setAside } = await DiskQueue.open({ dir: join(options.dataDir, 'network-queue') });
  if (setAside.length > 0) log.warn({ setAside }, 'flow queue damage set aside at start');

  // Connector ID: a valid tag names a connection's machine and user. The keys come from the
  // hub; while it cannot give them (out of reach at start), connections are attributed by
  // address, and each policy check asks again.
  let tags: TagVerification | null = null;
  const startTags = async () => {
    if (tags || options.connectorTags === false) return;
    const started = await startTagVerification(hub, {
      onProblem: (problem) => log.warn({ problem }, 'Connector ID keys not refreshed'),
    });
    if ('problem' in started) {
      log.warn(
        { problem: started.problem },
        'no Connector ID keys from the hub yet: connections are attributed by address',
      );
      return;
    }
    tags = started;
  };
  await startTags();
  const tagDecoder: ConnectorTagDecoder = {
    fromTcpSyn: (view) => tags?.decoder.fromTcpSyn(view),
    fromUdpDatagram: (view) => tags?.decoder.fromUdpDatagram(view),
  };

  const counters = newDeliveryCounters();
  const outbox = new FlowOutbox(queue, counters, log);
  const exporter = new IntervalExporter((record) => outbox.add(record));
  const tracker = new FlowTracker({
    onConnectionEnd: exporter.onConnectionEnd,
    onInterval: (store, boundarySeconds) => {
      exporter.onInterval(store, boundarySeconds);
      void outbox.flush();
    },
    intervalSeconds: options.intervalSeconds,
    tagDecoder,
  });
  const { source } = options;

  // The capture filter follows the policy unless the command line gave one. A filter libpcap
  // refuses keeps the one in force, and the problem shows in the status sent to the hub.
  let filterProblem: string | null = null;
  const followFilter = async () => {
    if (!source.setFilter || options.filter !== undefined) return;
    const network = identity.policy.network as { filter?: unknown } | undefined;
    const wanted = typeof network?.filter === 'string' ? network.filter.trim() : '';
    if (wanted === (source.filter ?? '')) {
      filterProblem = null;
      return;
    }
    try {
      await source.setFilter(wanted);
      filterProblem = null;
      log.info({ filter: wanted }, 'capture filter set by policy');
    } catch (error) {
      filterProblem = (error as Error).message;
      log.error({ filter: wanted, kept: source.filter }, filterProblem);
    }
  };
  await followFilter();
  const checkPolicy = async () => {
    if (tags) await tags.refresh();
    else await startTags();
    const refresh = await refreshPolicy(hub.client, identity, keys.publicKeyPem, options.dataDir);
    if (refresh.status !== 'renewed') return;
    identity = refresh.identity;
    const { policyName, policyVersion } = identity.policy;
    log.info({ policyName, policyVersion }, 'policy changed');
    await followFilter();
  };
  const policyTimer = setInterval(
    () =>
      void checkPolicy().catch((error: Error) => log.warn({ err: error }, 'policy check failed')),
    (options.policyCheckSeconds ?? defaultPolicyCheckSeconds) * 1_000,
  );
  policyTimer.unref();
  const status = (): NetworkCollectorStatus => {
    const { records, bytes, oldestAgeMillis, setAside: damage } = queue.stats();
    return {
      source: source.name,
      packetsSeen: tracker.packetsSeen,
      packetsAnalysed: tracker.packetsAnalysed,
      skipped: { ...tracker.skipped },
      captureDrops: source.drops(),
      tags: tags?.counts() ?? null,
      filter: source.filter ?? '',
      filterProblem,
      openConnections: tracker.store.inUse,
      records: exporter.records,
      queue: { records, bytes, oldestAgeMillis, setAside: damage },
      delivery: { ...counters },
    };
  };
  const sender = new FlowSender({
    queue,
    send: (batch, sent) =>
      hub.call<StoredAnswer>('/api/v1/collector/network-flows', { batch, status: sent }),
    status,
    counters,
    deliverySeconds: options.deliverySeconds ?? policyDeliverySeconds(identity),
    refusedDir: join(options.dataDir, 'network-refused'),
    log,
  });
  sender.start();

  const tick = source.live
    ? setInterval(() => tracker.advanceTo(Date.now() / 1_000), clockTickMillis)
    : undefined;
  const inputDone = source.run(tracker).then(
    async () => {
      tracker.finish();
      await outbox.flush();
      log.info({ source: source.name, packets: tracker.packetsSeen }, 'capture input ended');
    },
    (error: Error) => log.error({ err: error, source: source.name }, 'capture failed'),
  );
  log.info({ source: source.name, queued: queue.stats().records }, 'network collector started');

  return {
    get identity() {
      return identity;
    },
    queue,
    sender,
    status,
    inputDone,
    checkPolicy,
    async close() {
      clearInterval(tick);
      clearInterval(policyTimer);
      tags?.stop();
      await source.stop();
      await inputDone;
      tracker.finish();
      await outbox.flush();
      await sender.stop();
      await queue.close();
      log.info('network collector stopped');
    },
  };
}
