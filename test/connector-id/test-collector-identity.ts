// An activated collector identity for Connector ID tests: no intake, only its sealed channel
// to the hub (as a ChannelClient and as the collector's own HubLink).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activate } from '../../src/agent/agent-identity.js';
import { HubLink } from '../../src/collector/hub-link.js';
import { ChannelClient } from '../../src/protocol/channel-client.js';
import { httpTransport } from '../../src/protocol/http-transport.js';
import { createKeyPair } from '../../src/protocol/key-pair.js';
import { issueToken } from '../support/test-collector.js';
import type { TestHub } from '../support/test-hub.js';

export async function activateCollectorIdentity(hub: TestHub, name = 'network-collector') {
  const dataDir = await mkdtemp(join(tmpdir(), 'strata-test-collector-'));
  const keys = await createKeyPair();
  const token = await issueToken(hub, 'collector');
  try {
    const identity = await activate({
      dataDir,
      hubUrl: hub.url,
      token,
      kind: 'collector',
      name,
      keys,
    });
    const channel = new ChannelClient({
      componentId: identity.componentId,
      privateKeyPem: keys.privateKeyPem,
      recipientId: identity.hubId,
      recipientPublicKeyPem: identity.hubPublicKeyPem,
      transport: httpTransport(hub.url, 10_000),
    });
    return { identity, channel, link: new HubLink(identity, keys.privateKeyPem) };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
