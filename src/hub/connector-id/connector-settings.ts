import { randomBytes } from 'node:crypto';
import { siteSecretBytes } from '../../protocol/connector-id/machine-keys.js';
import type { Queryable, Store } from '../../store/store.js';
import { recordChange } from '../change-log.js';

/** The site's Connector ID policy, kept in hub_settings under `connector_id`. */
export interface ConnectorSettings {
  /** Agents tag outgoing SYNs and datagrams; default off (opt-in). */
  tagging: boolean;
  /** Collectors refuse stale and repeated tags; default off. */
  replayProtection: boolean;
  /** Tags leave the source address and port out of their MAC, to survive NAT; default off. */
  sourceUnbound: boolean;
}

export const defaultConnectorSettings: ConnectorSettings = {
  tagging: false,
  replayProtection: false,
  sourceUnbound: false,
};

const settingsKey = 'connector_id';
/** The key id of the site secret made first; a roll-over adds the next. */
const firstKeyId = 0;

export async function readConnectorSettings(db: Queryable): Promise<ConnectorSettings> {
  const rows = await db.query<{ value: Partial<ConnectorSettings> }>(
    'SELECT value FROM hub_settings WHERE key = $1',
    [settingsKey],
  );
  return { ...defaultConnectorSettings, ...rows[0]?.value };
}

/** Changes some settings, with a change log entry; returns them all as they are now. */
export async function changeConnectorSettings(
  store: Store,
  change: Partial<ConnectorSettings>,
  actor: string,
): Promise<ConnectorSettings> {
  return store.transaction(async (tx) => {
    const settings = { ...(await readConnectorSettings(tx)), ...change };
    await tx.query(
      `INSERT INTO hub_settings (key, value) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [settingsKey, JSON.stringify(settings)],
    );
    await recordChange(tx, { actor, action: 'connector_id.settings', detail: { ...change } });
    return settings;
  });
}

/** The site secrets by key id; the first one is made on first use. */
export async function siteSecrets(db: Queryable): Promise<Map<number, Buffer>> {
  await db.query(
    `INSERT INTO connector_site_secrets (key_id, secret) VALUES ($1, $2)
     ON CONFLICT (key_id) DO NOTHING`,
    [firstKeyId, randomBytes(siteSecretBytes)],
  );
  const rows = await db.query<{ key_id: number; secret: Buffer }>(
    'SELECT key_id, secret FROM connector_site_secrets ORDER BY key_id',
  );
  return new Map(rows.map((row) => [row.key_id, Buffer.from(row.secret)]));
}

/** The key id agents sign with: the newest secret's. */
export function currentKeyId(secrets: ReadonlyMap<number, Buffer>): number {
  return Math.max(...secrets.keys());
}

/**
 * What a component's policy says about Connector ID, where it says anything: a group's policy
 * turns tagging (agents) or replay protection (collectors) on or off against the site's
 * setting. Absent fields follow the site.
 */
export async function componentConnectorPolicy(
  db: Queryable,
  componentId: string,
): Promise<{ tagging?: boolean; replayProtection?: boolean }> {
  const rows = await db.query<{ connector: Record<string, unknown> | null }>(
    `SELECT p.settings -> 'connectorId' AS connector
     FROM components c JOIN policies p ON p.id = c.policy_id WHERE c.id = $1`,
    [componentId],
  );
  const connector = rows[0]?.connector ?? {};
  return {
    ...(typeof connector.tagging === 'boolean' ? { tagging: connector.tagging } : {}),
    ...(typeof connector.replayProtection === 'boolean'
      ? { replayProtection: connector.replayProtection }
      : {}),
  };
}
