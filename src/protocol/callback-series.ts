/**
 * The machine's figures sampled every few seconds between two callbacks (the policy's
 * sampling interval), carried as the points themselves and summarised per figure.
 */

/** Most points one callback may carry: a day at one every two minutes, an hour at 5 s. */
export const maxSeriesPoints = 720;

/** One sample of the machine between callbacks; null where the platform does not say. */
export interface SeriesPoint {
  at: string; // ISO 8601, the end of the point's window
  /** Share of the whole machine's CPU over the window, 0 to 100. */
  cpuPercent: number | null;
  /** Runnable threads waiting for a CPU, per core, at the end of the window. */
  cpuQueuePerCore: number | null;
  memoryUsedBytes: number | null;
  /** Page faults that had to wait for the disk, per second over the window. */
  majorFaultsPerSecond: number | null;
  /** Mean time one disk request took over the window, all whole disks together. */
  diskLatencyMillis: number | null;
  /** Disk requests completed per second over the window. */
  diskIops: number | null;
  /** Share of the window the busiest disk had requests in flight, 0 to 100. */
  diskBusyPercent: number | null;
}

/** Count, min, mean, max and 95th percentile of one figure over the points that had it. */
export interface FigureSummary {
  count: number;
  min: number;
  mean: number;
  max: number;
  p95: number;
}

export type SeriesFigure = Exclude<keyof SeriesPoint, 'at'>;

export interface SampleSeries {
  intervalSeconds: number;
  points: SeriesPoint[];
  summary: Partial<Record<SeriesFigure, FigureSummary>>;
}

/** The optional series a callback may carry. */
export interface CallbackSeries {
  series?: SampleSeries;
}

export const seriesFigures: readonly SeriesFigure[] = [
  'cpuPercent',
  'cpuQueuePerCore',
  'memoryUsedBytes',
  'majorFaultsPerSecond',
  'diskLatencyMillis',
  'diskIops',
  'diskBusyPercent',
];

const figureOrNull = { anyOf: [{ type: 'number', minimum: 0 }, { type: 'null' }] };
const summary = {
  type: 'object',
  additionalProperties: false,
  required: ['count', 'min', 'mean', 'max', 'p95'],
  properties: {
    count: { type: 'integer', minimum: 0 },
    min: { type: 'number', minimum: 0 },
    mean: { type: 'number', minimum: 0 },
    max: { type: 'number', minimum: 0 },
    p95: { type: 'number', minimum: 0 },
  },
};

/** JSON schema properties for `CallbackSeries`, merged into the callback's schema. */
export const callbackSeriesProperties = {
  series: {
    type: 'object',
    additionalProperties: false,
    required: ['intervalSeconds', 'points', 'summary'],
    properties: {
      intervalSeconds: { type: 'number', minimum: 1, maximum: 86_400 },
      points: {
        type: 'array',
        maxItems: maxSeriesPoints,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['at', ...seriesFigures],
          properties: {
            at: { type: 'string', format: 'date-time' },
            ...Object.fromEntries(seriesFigures.map((figure) => [figure, figureOrNull])),
          },
        },
      },
      summary: {
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(seriesFigures.map((figure) => [figure, summary])),
      },
    },
  },
} as const;
