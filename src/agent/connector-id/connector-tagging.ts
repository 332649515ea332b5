import { hostname } from 'node:os';
import { ChannelClient } from '../../protocol/channel-client.js';
import { TagWriter } from '../../protocol/connector-id/tag-writer.js';
import { httpTransport } from '../../protocol/http-transport.js';
import type { Logger } from '../../shared/logger.js';
import { createAccountNamer } from '../account-names.js';
import type { ComponentIdentity } from '../agent-identity.js';
import { resolveFqdn } from '../fqdn.js';
import { readFingerprint } from './fingerprint-reader.js';
import { defaultQueueNumber, installTagRules, removeTagRules } from './netfilter-rules.js';
import { loadNfqueueAddon } from './nfqueue-addon.js';
import { TagService } from './tag-service.js';
import { UserNumberCache } from './user-number-cache.js';

export interface ConnectorTagging {
  service: TagService;
  machineNumber: number;
  stop(): Promise<void>;
}

interface MachineAnswer {
  machineNumber: number;
  keyId: number;
  machineKey: string;
  tagging: boolean;
  sourceUnbound: boolean;
}

/**
 * Starts tagging this machine's outgoing connections when the site's policy asks for it:
 * claims the machine number with the machine's fingerprint, then opens the netfilter queue.
 * Returns undefined, with the reason logged, when tagging is off or cannot run here; the
 * agent carries on either way.
 */
export async function startConnectorTagging(options: {
  identity: ComponentIdentity;
  privateKeyPem: string;
  log: Logger;
  queueNumber?: number;
}): Promise<ConnectorTagging | undefined> {
  const log = options.log.child({ component: 'connector-id' });
  const { identity } = options;
  const hub = new ChannelClient({
    componentId: identity.componentId,
    privateKeyPem: options.privateKeyPem,
    recipientId: identity.hubId,
    recipientPublicKeyPem: identity.hubPublicKeyPem,
    transport: httpTransport(identity.hubUrl),
  });
  const shortName = hostname();
  const fqdn = await resolveFqdn(shortName);
  const fingerprint = await readFingerprint({ sysRoot: '/sys', procRoot: '/proc', fqdn });
  const answer = await hub.request('/api/v1/agent/connector-id/machine', { fingerprint });
  if (answer.kind !== 'reply') {
    log.warn({ code: answer.code }, 'no machine number from the hub; connections go untagged');
    return undefined;
  }
  const machine = answer.body as MachineAnswer;
  log.info({ machineNumber: machine.machineNumber }, 'machine number');
  if (!machine.tagging) return undefined;
  const loaded = loadNfqueueAddon();
  if (loaded.status === 'missing') {
    log.warn(loaded.howToEnable);
    return undefined;
  }
  if (process.getuid?.() !== 0) {
    log.warn('Connector ID tagging needs root (netfilter rules and queue); it is off');
    return undefined;
  }

  const namer = await createAccountNamer(shortName, fqdn.slice(shortName.length + 1));
  const users = new UserNumberCache(namer, hub, log);
  const queueNumber = options.queueNumber ?? defaultQueueNumber;
  const writer = new TagWriter({
    machineNumber: machine.machineNumber,
    keyId: machine.keyId,
    machineKey: Buffer.from(machine.machineKey, 'base64'),
    sourceUnbound: machine.sourceUnbound,
  });
  const service = new TagService({
    addon: loaded.addon,
    queueNumber,
    writer,
    userNumberOf: (uid) => users.numberOf(uid),
    log,
  });
  // The queue opens before the rules send packets to it, so none waits on an empty queue.
  service.start();
  await installTagRules(queueNumber);
  return {
    service,
    machineNumber: machine.machineNumber,
    async stop() {
      await removeTagRules();
      service.stop();
    },
  };
}
