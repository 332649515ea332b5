import { hostname } from 'node:os';
import { activate, loadIdentity, type ComponentIdentity } from '../agent/agent-identity.js';
import type { KeyPairPem } from '../protocol/key-pair.js';
import { ConfigError } from '../shared/errors.js';

/**
 * The collector's saved identity, or a new one from activation with the hub's token. A failed
 * activation leaves any old identity in place.
 */
export async function ensureCollectorIdentity(
  options: { dataDir: string; hubUrl?: string; token?: string; name?: string },
  keys: KeyPairPem,
): Promise<ComponentIdentity> {
  const saved = await loadIdentity(options.dataDir);
  if (saved) return saved;
  if (!options.hubUrl || !options.token) {
    throw new ConfigError(
      'this collector is not activated yet: pass --hub <url> and --token <token> ' +
        '(create a token on the hub with `strata admin activation-token create --kind collector`)',
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
