/**
 * Callback collectors and simulated agents for tests, against a real test hub: each collector
 * is activated with a real token and writes to the hub's store (PostgreSQL directly, or the
 * embedded store through the hub).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activate, loadIdentity, type ComponentIdentity } from '../../src/agent/agent-identity.js';
import {
  startCallbackCollector,
  type CallbackCollectorOptions,
  type RunningCollector,
} from '../../src/collector/callback-collector.js';
import { createActivationToken } from '../../src/hub/activation-tokens.js';
import { ChannelClient } from '../../src/protocol/channel-client.js';
import { httpTransport } from '../../src/protocol/http-transport.js';
import { createKeyPair, type KeyPairPem } from '../../src/protocol/key-pair.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { TestHub } from './test-hub.js';

/** An activation token of `kind` issued on the test hub. */
export async function issueToken(hub: TestHub, kind: 'agent' | 'collector', uses = 1) {
  const { token } = await createActivationToken(hub.context.store, hub.context.identity.caPin, {
    kind,
    uses,
    actor: 'test',
  });
  return token;
}

export interface TestCollector extends RunningCollector {
  dataDir: string;
  cleanup(): Promise<void>;
}

/** A callback collector on a free loopback port, writing to the hub's store. */
export async function startTestCollector(
  hub: TestHub,
  options: Partial<CallbackCollectorOptions> = {},
): Promise<TestCollector> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'strata-collector-')));
  // A collector started again on its folder is activated already and needs no token.
  const activated = (await loadIdentity(dataDir)) !== null;
  const collector = await startCallbackCollector({
    hubUrl: hub.url,
    token: activated ? undefined : await issueToken(hub, 'collector'),
    host: '127.0.0.1',
    port: 0,
    databaseUrl: hub.databaseUrl,
    logger: silentLogger(),
    ...options,
    dataDir,
  });
  return {
    ...collector,
    dataDir,
    async cleanup() {
      await collector.close().catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A simulated agent: activated on the hub, able to open channels to the hub or a collector. */
export interface TestAgent {
  identity: ComponentIdentity;
  keys: KeyPairPem;
  /** A channel to the hub. */
  hub: ChannelClient;
  /** A channel to the collector with this id, public key and address. */
  to(collector: { id: string; publicKeyPem: string; url: string }): ChannelClient;
}

export async function activateTestAgent(hub: TestHub, name = 'test-agent'): Promise<TestAgent> {
  const keys = await createKeyPair();
  const dataDir = await mkdtemp(join(tmpdir(), 'strata-test-agent-'));
  const identity = await activate({
    dataDir,
    hubUrl: hub.url,
    token: await issueToken(hub, 'agent'),
    kind: 'agent',
    name,
    keys,
  });
  await rm(dataDir, { recursive: true, force: true });
  const channel = (recipientId: string, recipientPublicKeyPem: string, url: string) =>
    new ChannelClient({
      componentId: identity.componentId,
      privateKeyPem: keys.privateKeyPem,
      recipientId,
      recipientPublicKeyPem,
      transport: httpTransport(url, 10_000),
    });
  return {
    identity,
    keys,
    hub: channel(identity.hubId, identity.hubPublicKeyPem, hub.url),
    to: (collector) => channel(collector.id, collector.publicKeyPem, collector.url),
  };
}
