/**
 * Graphics use a callback may carry: each GPU the machine's drivers expose, how busy it was
 * over the sample and its memory, and the processes that used it.
 */

/** Most GPU processes one callback may carry; the busiest come first. */
export const maxGpuProcesses = 500;

/** Where a GPU's figures came from. */
export type GpuSource = 'nvidia-smi' | 'drm';

export interface GpuDevice {
  /** The PCI address (`0000:01:00.0`), or the driver's own index where there is none. */
  id: string;
  name: string;
  driver: string;
  source: GpuSource;
  /** Share of the sample the busiest engine was at work, 0 to 100; null when not exposed. */
  busyPercent: number | null;
  memoryUsedBytes: number | null;
  memoryTotalBytes: number | null;
}

export interface GpuProcess {
  pid: number;
  /** The executable's name, as processes are grouped into applications. */
  application: string;
  /** The device's `id`. */
  device: string;
  /** Share of the sample the process kept the device's busiest engine at work, 0 to 100. */
  busyPercent: number | null;
  memoryBytes: number | null;
}

export interface GpuUse {
  devices: GpuDevice[];
  processes: GpuProcess[];
}

/** The optional GPU use a callback may carry. */
export interface CallbackGpu {
  gpu?: GpuUse;
}

const percentOrNull = { anyOf: [{ type: 'number', minimum: 0, maximum: 100 }, { type: 'null' }] };
const bytesOrNull = { anyOf: [{ type: 'number', minimum: 0 }, { type: 'null' }] };
const text = { type: 'string', maxLength: 256 };

/** JSON schema properties for `CallbackGpu`, merged into the callback's schema. */
export const callbackGpuProperties = {
  gpu: {
    type: 'object',
    additionalProperties: false,
    required: ['devices', 'processes'],
    properties: {
      devices: {
        type: 'array',
        maxItems: 64,
        items: {
          type: 'object',
          additionalProperties: false,
          required: [
            ...['id', 'name', 'driver', 'source', 'busyPercent'],
            ...['memoryUsedBytes', 'memoryTotalBytes'],
          ],
          properties: {
            id: text,
            name: text,
            driver: text,
            source: { type: 'string', enum: ['nvidia-smi', 'drm'] },
            busyPercent: percentOrNull,
            memoryUsedBytes: bytesOrNull,
            memoryTotalBytes: bytesOrNull,
          },
        },
      },
      processes: {
        type: 'array',
        maxItems: maxGpuProcesses,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['pid', 'application', 'device', 'busyPercent', 'memoryBytes'],
          properties: {
            pid: { type: 'integer', minimum: 0 },
            application: text,
            device: text,
            busyPercent: percentOrNull,
            memoryBytes: bytesOrNull,
          },
        },
      },
    },
  },
} as const;
