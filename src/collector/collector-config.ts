import { ConfigError } from '../shared/errors.js';

/** Settings of a callback collector; the hub may push any of them (see hub collector routes). */
export interface CollectorConfig {
  /** Queue bytes at which intake answers 503 until the drainer catches up: default 8 GiB. */
  maxQueueBytes: number;
  /** Age of the oldest queued callback at which intake answers 503: default 6 hours. */
  maxQueueAgeSeconds: number;
  /** Free space the queue's filesystem must keep; intake answers 503 below it: 1 GiB. */
  minFreeDiskBytes: number;
  /**
   * Most callbacks stored in one transaction: 1,000. Each batch updates every machine in it once
   * (latest figures, users) and commits once, so larger batches spread that over more callbacks.
   */
  drainBatchCallbacks: number;
  /** How often the collector reports to the hub, in seconds: 10. */
  reportIntervalSeconds: number;
  /** How often the network role sends its flow records to the hub, in seconds: 60. */
  networkDeliverySeconds: number;
}

export const defaultCollectorConfig: CollectorConfig = {
  maxQueueBytes: 8 * 1024 ** 3,
  maxQueueAgeSeconds: 6 * 3_600,
  minFreeDiskBytes: 1024 ** 3,
  drainBatchCallbacks: 1_000,
  reportIntervalSeconds: 10,
  networkDeliverySeconds: 60,
};

const limits: Record<keyof CollectorConfig, [number, number]> = {
  maxQueueBytes: [64 * 1024, 2 ** 50],
  maxQueueAgeSeconds: [10, 30 * 86_400],
  minFreeDiskBytes: [0, 2 ** 50],
  drainBatchCallbacks: [1, 10_000],
  reportIntervalSeconds: [1, 3_600],
  networkDeliverySeconds: [1, 3_600],
};

export const collectorConfigKeys = Object.keys(limits) as Array<keyof CollectorConfig>;

/**
 * Checks a partial configuration (from the hub's API or a collector's options); returns it
 * with only known keys, or throws a ConfigError naming the first bad key and its range.
 */
export function checkCollectorConfig(value: unknown): Partial<CollectorConfig> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError('a collector configuration must be a JSON object');
  }
  const checked: Partial<CollectorConfig> = {};
  for (const [key, raw] of Object.entries(value)) {
    const range = limits[key as keyof CollectorConfig];
    if (!range) {
      throw new ConfigError(
        `unknown collector setting ${key}; known: ${collectorConfigKeys.join(', ')}`,
      );
    }
    if (!Number.isSafeInteger(raw) || (raw as number) < range[0] || (raw as number) > range[1]) {
      throw new ConfigError(`${key} must be a whole number from ${range[0]} to ${range[1]}`);
    }
    checked[key as keyof CollectorConfig] = raw as number;
  }
  return checked;
}
