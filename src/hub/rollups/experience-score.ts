/**
 * The experience score of a machine, user or application over a period: 0 (bad) to 100 (good).
 *
 * Each input is one figure of the period (a 95th percentile, or a count per day) compared
 * with two service levels: `good` (the threshold; at or below it the input costs nothing)
 * and `poor` (at or above it the input costs its whole weight). In between the cost grows in
 * a straight line. The score is
 *
 *     100 × (1 − Σ weight·penalty / Σ weight)
 *
 * over the inputs that have a value for the period, so a machine without network flows is
 * scored on the rest. Bands: Good from 80, Fair from 50, Poor below. Not-responding events
 * with no rows in a period count as 0 per day.
 *
 * The same formula runs in SQL over the roll-ups (scoreSql) to rank thousands of machines at
 * once; the tests check both give the same number.
 */

/** The thresholds a policy can set (policy-settings.ts, `thresholds`); each is "good". */
export interface Thresholds {
  cpuQueuePerCore: number;
  memoryUsedPercent: number;
  diskLatencyMillis: number;
  logonDurationMillis: number;
  applicationLoadMillis: number;
  networkLatencyMillis: number;
}

/** The site's service levels unless a policy sets them. */
export const defaultThresholds: Thresholds = {
  cpuQueuePerCore: 1,
  memoryUsedPercent: 85,
  diskLatencyMillis: 20,
  logonDurationMillis: 30_000,
  applicationLoadMillis: 3_000,
  networkLatencyMillis: 100,
};

export type ScoredDimension = 'machine' | 'user' | 'application' | 'group';

/** One input of the score: which roll-up metric, read how, and its weight. */
export interface ScoreInput {
  name: string;
  metric: string;
  statistic: 'p95' | 'perDay';
  weight: number;
  dimensions: readonly ScoredDimension[];
  good: (t: Thresholds) => number;
  poor: (t: Thresholds) => number;
}

const notResponding = 'notRespondingPerDay';
const everyone = ['machine', 'user', 'application', 'group'] as const;
const machines = ['machine', 'group'] as const;
// A percentage is poor at 100; a time or a rate at twice its threshold.
const percentPoor = () => 100;

const twice = (pick: (t: Thresholds) => number) => (t: Thresholds) => 2 * pick(t);
const fixed = (value: number) => () => value;

function input(
  name: string,
  metric: string,
  weight: number,
  dimensions: readonly ScoredDimension[],
  good: (t: Thresholds) => number,
  poor: (t: Thresholds) => number,
): ScoreInput {
  const statistic = name === notResponding ? 'perDay' : 'p95';
  return { name, metric, statistic, weight, dimensions, good, poor };
}

/** The inputs: name, roll-up metric, weight (all together 115), who has it, good, poor. */
export const scoreInputs: readonly ScoreInput[] = [
  input(
    'cpuQueuePerCore',
    'cpu_queue_per_core',
    15,
    machines,
    (t) => t.cpuQueuePerCore,
    twice((t) => t.cpuQueuePerCore),
  ),
  input('cpuPercent', 'cpu_percent', 10, machines, fixed(80), percentPoor),
  input(
    'memoryUsedPercent',
    'memory_used_percent',
    15,
    machines,
    (t) => t.memoryUsedPercent,
    percentPoor,
  ),
  input(
    'diskLatencyMillis',
    'disk_latency_millis',
    10,
    machines,
    (t) => t.diskLatencyMillis,
    twice((t) => t.diskLatencyMillis),
  ),
  input('diskUsedPercent', 'disk_used_percent', 5, machines, fixed(90), percentPoor),
  input(
    'logonDurationMillis',
    'logon_millis',
    15,
    ['machine', 'user', 'group'],
    (t) => t.logonDurationMillis,
    twice((t) => t.logonDurationMillis),
  ),
  input(
    'applicationLoadMillis',
    'app_load_millis',
    15,
    everyone,
    (t) => t.applicationLoadMillis,
    twice((t) => t.applicationLoadMillis),
  ),
  input(notResponding, 'not_responding', 10, everyone, fixed(0), fixed(5)),
  input(
    'networkLatencyMillis',
    'network_rtt_millis',
    15,
    everyone,
    (t) => t.networkLatencyMillis,
    twice((t) => t.networkLatencyMillis),
  ),
];

/** Bands: Good from 80, Fair from 50, Poor below. */
export const goodFromScore = 80;
export const fairFromScore = 50;
export type Band = 'Good' | 'Fair' | 'Poor';

export interface ScoredInput {
  name: string;
  value: number;
  good: number;
  poor: number;
  penalty: number; // 0..1
  pointsLost: number; // of the 100
}

export interface ExperienceScore {
  score: number;
  band: Band;
  inputs: ScoredInput[];
  /** Inputs that cost points, the costliest first. */
  pulledDownBy: string[];
}

/** The band of a score. */
export function bandOf(score: number): Band {
  return score >= goodFromScore ? 'Good' : score >= fairFromScore ? 'Fair' : 'Poor';
}

/**
 * Scores one machine, user or application from its input values (by input name; a missing or
 * null value leaves the input out). Null when no input has a value.
 */
export function experienceScore(
  dimension: ScoredDimension,
  values: Readonly<Record<string, number | null | undefined>>,
  thresholds: Thresholds = defaultThresholds,
): ExperienceScore | null {
  const used = scoreInputs.filter((input) => input.dimensions.includes(dimension));
  const scored: Array<ScoredInput & { weight: number }> = [];
  for (const input of used) {
    const value = values[input.name] ?? (input.statistic === 'perDay' ? 0 : null);
    if (value === null || !Number.isFinite(value)) continue;
    const good = input.good(thresholds);
    const poor = input.poor(thresholds);
    const penalty = penaltyOf(value, good, poor);
    scored.push({
      name: input.name,
      value,
      good,
      poor,
      weight: input.weight,
      penalty,
      pointsLost: 0,
    });
  }
  // Not-responding counts alone (0 when absent) do not make a score.
  if (!scored.some((input) => input.name !== notResponding)) return null;
  const totalWeight = scored.reduce((sum, input) => sum + input.weight, 0);
  const lost = scored.reduce((sum, input) => sum + input.weight * input.penalty, 0);
  const score = 100 * (1 - lost / totalWeight);
  const inputs = scored.map(({ weight, ...input }) => ({
    ...input,
    pointsLost: (100 * weight * input.penalty) / totalWeight,
  }));
  const pulledDownBy = inputs
    .filter((input) => input.pointsLost > 0)
    .sort((a, b) => b.pointsLost - a.pointsLost)
    .map((input) => input.name);
  return { score, band: bandOf(score), inputs, pulledDownBy };
}

/** 0 at or below good, 1 at or above poor, a straight line between. */
export function penaltyOf(value: number, good: number, poor: number): number {
  if (poor <= good) return value > good ? 1 : 0;
  return Math.min(1, Math.max(0, (value - good) / (poor - good)));
}

/** The site's thresholds: the defaults, overridden by the default agent policy's. */
export function thresholdsFrom(policyThresholds: Partial<Thresholds> | undefined): Thresholds {
  const chosen = { ...defaultThresholds };
  for (const key of Object.keys(defaultThresholds) as Array<keyof Thresholds>) {
    const value = policyThresholds?.[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) chosen[key] = value;
  }
  return chosen;
}
