/**
 * The agent's callback, version 1: one summary of the machine, its users and its processes.
 * Every field an agent sends is named here; the hub validates each callback against
 * `callbackJsonSchema` after decrypting it and rejects anything that does not fit.
 */

import { callbackActivityProperties, type CallbackActivity } from './callback-activity.js';
import { callbackBrowserProperties, type CallbackBrowser } from './callback-browser.js';
import { callbackDisplayProperties, type CallbackDisplay } from './callback-display.js';
import { callbackGpuProperties, type CallbackGpu } from './callback-gpu.js';
import { callbackSeriesProperties, type CallbackSeries } from './callback-series.js';
import { callbackInventoryProperties, type CallbackInventory } from './callback-inventory.js';
import {
  callbackUsageProperties,
  processDiskProperties,
  type CallbackUsage,
} from './callback-usage.js';

/** Largest number of processes one callback may carry; agents send the busiest first. */
export const MAX_PROCESSES_PER_CALLBACK = 2_000;

export interface OsInfo {
  platform: string; // 'linux', 'win32', 'darwin'
  distro: string; // 'Debian GNU/Linux'
  release: string; // '12'
  kernel: string; // '6.1.0-18-amd64'
  arch: string; // 'x64'
}

export interface CpuInfo {
  model: string;
  logicalCount: number;
  physicalCount: number;
  speedGhz: number;
}

export interface MemoryInfo {
  totalBytes: number;
  usedBytes: number; // total minus available: what programs hold, not the page cache
  availableBytes: number;
}

export interface DiskInfo {
  mount: string;
  device: string;
  fsType: string;
  sizeBytes: number;
  usedBytes: number;
}

export interface InterfaceInfo {
  name: string;
  mac: string;
  ipv4: string[];
  ipv6: string[];
  speedMbps: number | null;
  isVirtual: boolean;
}

export interface LoggedInUser {
  /** Fully-qualified account name: `user@DOMAIN`, or `user@host` for a local account. */
  account: string;
  terminal: string;
  /** Where the session comes from (remote address or display), empty for a local console. */
  from: string;
  loggedInAt: string | null; // ISO 8601
  /** Whether the account holds administrator rights on this machine; absent when unknown. */
  isAdministrator?: boolean;
}

export interface ProcessSample {
  pid: number;
  parentPid: number;
  name: string;
  command: string;
  /** Fully-qualified owner, as for users; empty when the platform does not say. */
  account: string;
  /** Share of one whole machine's CPU time over the sample, 0 to 100. */
  cpuPercent: number;
  memoryRssBytes: number;
  startedAt: string | null; // ISO 8601
  /** Bytes the process read from and wrote to storage since the previous sample. */
  diskReadBytes?: number;
  diskWriteBytes?: number;
}

export interface MachineFacts {
  hostname: string;
  fqdn: string;
  os: OsInfo;
  cpu: CpuInfo;
  memory: MemoryInfo;
  bootedAt: string | null; // ISO 8601
}

/** What the agent measured at one moment, and what happened since the previous callback. */
export interface MachineSample
  extends
    CallbackActivity,
    CallbackInventory,
    CallbackUsage,
    CallbackDisplay,
    CallbackGpu,
    CallbackSeries,
    CallbackBrowser {
  sampledAt: string; // ISO 8601
  machine: MachineFacts;
  /** Whole-machine CPU use over the sample, 0 to 100. */
  cpuPercent: number;
  load1: number | null;
  disks: DiskInfo[];
  interfaces: InterfaceInfo[];
  users: LoggedInUser[];
  processes: ProcessSample[];
}

/**
 * Callbacks the agent's offline spool dropped since it was installed, by reason: past the
 * retention days, past the byte ceiling, damaged on disk, refused for good by a receiver.
 */
export interface SpoolDrops {
  agedOut: number;
  overBytes: number;
  damaged: number;
  refusedByHub: number;
}

export interface CallbackV1 extends MachineSample {
  schema: 'strata.callback.v1';
  /** Chosen by the agent (UUID); a callback delivered twice is stored once. */
  callbackId: string;
  agentVersion: string;
  /** The spool's drop counts when the callback was made; absent from older agents. */
  spoolDrops?: SpoolDrops;
}

const isoOrNull = { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] };
const shortText = { type: 'string', maxLength: 256 };
const count = { type: 'number', minimum: 0 };

/** JSON schema for `CallbackV1`, for Ajv. Unknown fields are refused, not ignored. */
export const callbackJsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'schema',
    'callbackId',
    'agentVersion',
    'sampledAt',
    'machine',
    'cpuPercent',
    'load1',
    'disks',
    'interfaces',
    'users',
    'processes',
  ],
  properties: {
    schema: { const: 'strata.callback.v1' },
    callbackId: { type: 'string', format: 'uuid' },
    agentVersion: shortText,
    spoolDrops: {
      type: 'object',
      additionalProperties: false,
      required: ['agedOut', 'overBytes', 'damaged', 'refusedByHub'],
      properties: {
        agedOut: { type: 'integer', minimum: 0 },
        overBytes: { type: 'integer', minimum: 0 },
        damaged: { type: 'integer', minimum: 0 },
        refusedByHub: { type: 'integer', minimum: 0 },
      },
    },
    sampledAt: { type: 'string', format: 'date-time' },
    cpuPercent: { type: 'number', minimum: 0, maximum: 100 },
    load1: { anyOf: [count, { type: 'null' }] },
    machine: {
      type: 'object',
      additionalProperties: false,
      required: ['hostname', 'fqdn', 'os', 'cpu', 'memory', 'bootedAt'],
      properties: {
        hostname: { type: 'string', minLength: 1, maxLength: 255 },
        fqdn: { type: 'string', minLength: 1, maxLength: 255 },
        bootedAt: isoOrNull,
        os: {
          type: 'object',
          additionalProperties: false,
          required: ['platform', 'distro', 'release', 'kernel', 'arch'],
          properties: {
            platform: shortText,
            distro: shortText,
            release: shortText,
            kernel: shortText,
            arch: shortText,
          },
        },
        cpu: {
          type: 'object',
          additionalProperties: false,
          required: ['model', 'logicalCount', 'physicalCount', 'speedGhz'],
          properties: {
            model: shortText,
            logicalCount: { type: 'integer', minimum: 1 },
            physicalCount: { type: 'integer', minimum: 0 },
            speedGhz: count,
          },
        },
        memory: {
          type: 'object',
          additionalProperties: false,
          required: ['totalBytes', 'usedBytes', 'availableBytes'],
          properties: { totalBytes: count, usedBytes: count, availableBytes: count },
        },
      },
    },
    disks: {
      type: 'array',
      maxItems: 256,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['mount', 'device', 'fsType', 'sizeBytes', 'usedBytes'],
        properties: {
          mount: { type: 'string', maxLength: 1024 },
          device: { type: 'string', maxLength: 1024 },
          fsType: shortText,
          sizeBytes: count,
          usedBytes: count,
        },
      },
    },
    interfaces: {
      type: 'array',
      maxItems: 256,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'mac', 'ipv4', 'ipv6', 'speedMbps', 'isVirtual'],
        properties: {
          name: shortText,
          mac: shortText,
          ipv4: { type: 'array', maxItems: 64, items: shortText },
          ipv6: { type: 'array', maxItems: 64, items: shortText },
          speedMbps: { anyOf: [count, { type: 'null' }] },
          isVirtual: { type: 'boolean' },
        },
      },
    },
    users: {
      type: 'array',
      maxItems: 1_000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['account', 'terminal', 'from', 'loggedInAt'],
        properties: {
          account: { type: 'string', minLength: 1, maxLength: 512 },
          terminal: shortText,
          from: shortText,
          loggedInAt: isoOrNull,
          isAdministrator: { type: 'boolean' },
        },
      },
    },
    processes: {
      type: 'array',
      maxItems: MAX_PROCESSES_PER_CALLBACK,
      items: {
        type: 'object',
        additionalProperties: false,
        required: [
          'pid',
          'parentPid',
          'name',
          'command',
          'account',
          'cpuPercent',
          'memoryRssBytes',
          'startedAt',
        ],
        properties: {
          pid: { type: 'integer', minimum: 0 },
          parentPid: { type: 'integer', minimum: 0 },
          name: shortText,
          command: { type: 'string', maxLength: 4096 },
          account: { type: 'string', maxLength: 512 },
          cpuPercent: { type: 'number', minimum: 0, maximum: 100 },
          memoryRssBytes: count,
          startedAt: isoOrNull,
          ...processDiskProperties,
        },
      },
    },
    ...callbackActivityProperties,
    ...callbackInventoryProperties,
    ...callbackUsageProperties,
    ...callbackDisplayProperties,
    ...callbackGpuProperties,
    ...callbackSeriesProperties,
    ...callbackBrowserProperties,
  },
} as const;
