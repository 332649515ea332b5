/**
 * The sample series between two callbacks: a light reading of the machine every sampling
 * interval (policy; default 15 s), kept as points and summarised per figure when a callback
 * takes them.
 */
import {
  maxSeriesPoints,
  seriesFigures,
  type FigureSummary,
  type SampleSeries,
  type SeriesFigure,
  type SeriesPoint,
} from '../../protocol/callback-series.js';
import { pointBetween, readMachineReading, type MachineReading } from './machine-reading.js';

/** Default sampling interval: 15 seconds, 240 points in an hour's callback. */
export const defaultSampleIntervalSeconds = 15;
/** Shortest sampling interval a policy may set: 1 second. */
export const minSampleIntervalSeconds = 1;

export interface SeriesOptions {
  intervalSeconds?: number;
  read?: () => Promise<MachineReading>;
}

/** Takes a reading every interval; `take` hands over the points since the previous take. */
export class SampleSeriesRecorder {
  #intervalSeconds: number;
  /** Points left out of a callback because more than `maxSeriesPoints` came between two. */
  pointsThinned = 0;
  readonly #read: () => Promise<MachineReading>;
  #last: MachineReading | null = null;
  #points: SeriesPoint[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(options: SeriesOptions = {}) {
    this.#intervalSeconds = sampleInterval(options.intervalSeconds);
    this.#read = options.read ?? (() => readMachineReading());
  }

  get intervalSeconds(): number {
    return this.#intervalSeconds;
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Reads now and then every interval until `stop`; the timer does not keep Node alive. */
  start(): void {
    if (this.#timer) return;
    void this.sample();
    this.#timer = setInterval(() => void this.sample(), this.#intervalSeconds * 1_000);
    this.#timer.unref();
  }

  /**
   * A new interval (a changed policy), from now on. Points taken so far stay, each with the
   * span it measured; a running recorder restarts its timer on the new interval.
   */
  setIntervalSeconds(seconds: number | undefined): void {
    const next = sampleInterval(seconds);
    if (next === this.#intervalSeconds) return;
    this.#intervalSeconds = next;
    if (!this.#timer) return;
    clearInterval(this.#timer);
    this.#timer = setInterval(() => void this.sample(), next * 1_000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One reading; from the second on, each adds a point. A failed read leaves a gap. */
  async sample(): Promise<void> {
    const reading = await this.#read().catch(() => null);
    if (!reading) return;
    if (this.#last) this.#points.push(pointBetween(this.#last, reading));
    this.#last = reading;
  }

  /** The series since the previous take, or undefined when no point was made. */
  take(): SampleSeries | undefined {
    const points = this.#points;
    this.#points = [];
    if (points.length === 0) return undefined;
    const summary: SampleSeries['summary'] = {};
    for (const figure of seriesFigures) {
      const figureSummary = summarise(points, figure);
      if (figureSummary) summary[figure] = figureSummary;
    }
    // The summary covers every point; the callback carries the newest ones within its limit.
    const kept = points.slice(-maxSeriesPoints);
    this.pointsThinned += points.length - kept.length;
    return { intervalSeconds: this.#intervalSeconds, points: kept, summary };
  }
}

function sampleInterval(seconds: number | undefined): number {
  const wanted = Number(seconds ?? defaultSampleIntervalSeconds);
  if (!Number.isFinite(wanted)) return defaultSampleIntervalSeconds;
  return Math.max(minSampleIntervalSeconds, wanted);
}

/** Count, min, mean, max and nearest-rank 95th percentile of one figure over the points. */
export function summarise(points: SeriesPoint[], figure: SeriesFigure): FigureSummary | null {
  return summariseValues(points.map((point) => point[figure]));
}

/** The same over plain values; nulls (and anything not a number) are left out. */
export function summariseValues(values: ReadonlyArray<number | null | undefined>) {
  const known = values
    .filter((value): value is number => typeof value === 'number')
    .sort((a, b) => a - b);
  if (known.length === 0) return null;
  const total = known.reduce((sum, value) => sum + value, 0);
  return {
    count: known.length,
    min: known[0]!,
    mean: total / known.length,
    max: known[known.length - 1]!,
    p95: known[Math.ceil(known.length * 0.95) - 1]!,
  } satisfies FigureSummary;
}
