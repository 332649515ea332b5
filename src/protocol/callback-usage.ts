/**
 * Resource use grouped over every process on the machine, not only the busiest ones a
 * callback lists: per user (the process's owner) and per application (its executable). CPU is
 * the share over the sample's CPU window, memory is resident at the sample, and disk bytes are
 * what the storage layer read and wrote for those processes since the previous sample.
 */

/** Most groups of each kind one callback may carry; the busiest come first. */
export const maxUsageGroups = 1_000;

/** What one user's or one application's processes used. */
export interface UsageGroup {
  /** The account (`user@host`) or the executable's name. */
  key: string;
  processCount: number;
  /** Share of one whole machine's CPU over the sample, 0 to 100. */
  cpuPercent: number;
  memoryRssBytes: number;
  diskReadBytes: number;
  diskWriteBytes: number;
}

export interface ResourceUsage {
  byUser: UsageGroup[];
  byApplication: UsageGroup[];
}

/** The optional grouped use a callback may carry. */
export interface CallbackUsage {
  usage?: ResourceUsage;
}

const count = { type: 'number', minimum: 0 };
const groups = {
  type: 'array',
  maxItems: maxUsageGroups,
  items: {
    type: 'object',
    additionalProperties: false,
    required: [
      'key',
      'processCount',
      'cpuPercent',
      'memoryRssBytes',
      'diskReadBytes',
      'diskWriteBytes',
    ],
    properties: {
      key: { type: 'string', maxLength: 512 },
      processCount: { type: 'integer', minimum: 0 },
      cpuPercent: { type: 'number', minimum: 0, maximum: 100 },
      memoryRssBytes: count,
      diskReadBytes: count,
      diskWriteBytes: count,
    },
  },
};

/** JSON schema properties for `CallbackUsage`, merged into the callback's schema. */
export const callbackUsageProperties = {
  usage: {
    type: 'object',
    additionalProperties: false,
    required: ['byUser', 'byApplication'],
    properties: { byUser: groups, byApplication: groups },
  },
} as const;

/** JSON schema properties added to each process: disk bytes since the previous sample. */
export const processDiskProperties = {
  diskReadBytes: count,
  diskWriteBytes: count,
} as const;
