import type { Queryable } from '../../store/store.js';

/**
 * What a policy sets, as a JSON schema the API checks every policy against. A component
 * reads its policy from its certificate; a field a policy leaves out takes the component's
 * own default.
 */
import { metricFamilies } from '../../protocol/metric-families.js';

export { metricFamilies };

/** Thresholds that define service levels; each is the limit of "good". */
const thresholdProperties = {
  cpuQueuePerCore: { type: 'number', minimum: 0, description: 'runnable threads per core' },
  memoryUsedPercent: { type: 'number', minimum: 0, maximum: 100 },
  diskLatencyMillis: { type: 'number', minimum: 0 },
  logonDurationMillis: { type: 'number', minimum: 0 },
  applicationLoadMillis: { type: 'number', minimum: 0 },
  networkLatencyMillis: { type: 'number', minimum: 0 },
} as const;

export const policySettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    callbackIntervalSeconds: { type: 'integer', minimum: 10, maximum: 86_400 },
    sampleIntervalSeconds: { type: 'integer', minimum: 1, maximum: 3_600 },
    metricFamilies: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(metricFamilies.map((name) => [name, { type: 'boolean' }])),
    },
    thresholds: { type: 'object', additionalProperties: false, properties: thresholdProperties },
    collectors: {
      type: 'array',
      maxItems: 100,
      items: { type: 'string', format: 'uuid' },
      description: 'collector ids this group sends to; empty or absent: all',
    },
    offlineRetentionDays: { type: 'integer', minimum: 1, maximum: 365 },
    offlineMaxBytes: {
      type: 'integer',
      minimum: 1_048_576, // 1 MiB
      maximum: 68_719_476_736, // 64 GiB
      description: 'spool byte ceiling',
    },
    network: {
      type: 'object',
      additionalProperties: false,
      properties: {
        detail: { enum: ['flows', 'summary'] },
        filter: { type: 'string', maxLength: 2_000, description: 'BPF capture filter' },
      },
    },
    networkDeliverySeconds: { type: 'integer', minimum: 10, maximum: 3_600 },
    connectorId: {
      type: 'object',
      additionalProperties: false,
      properties: { tagging: { type: 'boolean' }, replayProtection: { type: 'boolean' } },
    },
    usageAccounting: { type: 'boolean', description: 'hours of use per user and machine' },
    securityChecks: {
      type: 'object',
      additionalProperties: false,
      properties: {
        minAgentVersion: {
          type: 'string',
          maxLength: 40,
          // Dotted numbers, as agents report their version: 1.4, 1.4.2, v1.4.2-rc1.
          pattern: '^v?[0-9]+(\\.[0-9]+){0,3}([-+][0-9A-Za-z.-]+)?$',
        },
        localAdministratorsAllowed: { type: 'boolean' },
      },
    },
    autoUpdate: { type: 'boolean', description: 'agents install newer releases the hub holds' },
    updateCheckSeconds: { type: 'integer', minimum: 10, maximum: 604_800 },
  },
} as const;

export type PolicySettings = Record<string, unknown> & {
  callbackIntervalSeconds?: number;
  collectors?: string[];
};

/**
 * The ids in a policy's collector list that name no collector the hub knows (activated and
 * not revoked), in the order given; empty when all are known.
 */
export async function unknownCollectors(db: Queryable, settings: PolicySettings) {
  const listed = settings.collectors ?? [];
  if (listed.length === 0) return [];
  const rows = await db.query<{ id: string }>(
    `SELECT id::text AS id FROM components
     WHERE kind = 'collector' AND status = 'active' AND id::text = ANY($1)`,
    [listed],
  );
  const known = new Set(rows.map((row) => row.id));
  return listed.filter((id) => !known.has(id.toLowerCase()));
}

/** Settings only collectors act on; every other setting is the agents'. */
const collectorSettings = new Set(['network', 'networkDeliverySeconds']);

/**
 * The settings in `settings` that components of `kind` never act on, as `field` or
 * `field.part` paths: a policy for collectors that sets an agent's callback interval (or the
 * other way round) would look applied and do nothing.
 */
export function settingsNotForKind(
  kind: 'agent' | 'collector',
  settings: Record<string, unknown>,
): string[] {
  const wrong: string[] = [];
  for (const [field, value] of Object.entries(settings)) {
    if (field === 'connectorId' && value && typeof value === 'object') {
      // Agents tag; collectors check tags against replays.
      const part = kind === 'agent' ? 'replayProtection' : 'tagging';
      if (part in value) wrong.push(`connectorId.${part}`);
    } else if (field !== 'connectorId' && collectorSettings.has(field) !== (kind === 'collector')) {
      wrong.push(field);
    }
  }
  return wrong;
}
