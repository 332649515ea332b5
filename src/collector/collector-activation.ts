import { hostname } from 'node:os';
import { activate, loadIdentity, type ComponentIdentity } from '../agent/agent-identity.js';
import type { KeyPairPem } from '../protocol/key-pair.js';
import { ConfigError } from '../shared/errors.js';
import { defaultCollectorConfig } from './collector-config.js';

/**
 * The collector's saved identity, or a new one from activating with the hub's token (first
 * start only). A failed activation leaves nothing behind, so the next start tries again.
 */
export async function activatedCollector(
  options: { dataDir: string; hubUrl?: string; token?: string; name?: string },
  keys: KeyPairPem,
): Promise<ComponentIdentity> {
  const saved = await loadIdentity(options.dataDir);
  if (saved) return saved;
  if (!options.hubUrl || !options.token) {
    throw new ConfigError(
      'this collector is not activated yet: pass --hub <url> and --token <token>',
    );
  }
  return activate({
    dataDir: options.dataDir,
    hubUrl: options.hubUrl,
    token: options.token,
    kind: 'collector',
    name: options.name ?? hostname(),
    keys,
  });
}

/** How often the network role sends, from the certificate's policy when the hub set it: 60 s. */
export function policyDeliverySeconds(identity: ComponentIdentity): number {
  const fromPolicy = identity.policy.networkDeliverySeconds;
  return typeof fromPolicy === 'number' && fromPolicy > 0
    ? fromPolicy
    : defaultCollectorConfig.networkDeliverySeconds;
}
