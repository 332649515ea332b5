/**
 * The histogram each roll-up row keeps: fixed log-scale buckets, so two histograms merge by
 * adding counts bucket by bucket, and a week, month or year is built from the level below
 * without reading the detail again.
 *
 * Bucket 0 holds values below `smallestTracked` (0.01) and reads as 0. Bucket b >= 1 holds
 * values in (0.01·γ^(b-1), 0.01·γ^b] with γ = (1 + α) / (1 - α), and reads as the point
 * 2·0.01·γ^b / (γ + 1), which is within α of every value in the bucket. So a quantile read from
 * the histogram is within a relative error of α = 2% of the true nearest-rank quantile (or
 * within 0.01 of it, absolute, below 0.01). Count, sum, min and max are kept exactly beside it.
 *
 * The SQL function rollup_quantile (migration 0018) and `bucketSql` below are the same rule in
 * SQL; the tests check all three agree.
 */

/** Relative error of a quantile read from a histogram: 2%. */
export const relativeAccuracy = 0.02;
/** Values below this read as 0: 0.01 (of a percent, a millisecond, a byte). */
export const smallestTracked = 0.01;
const gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);

/** A sparse histogram: ascending bucket numbers and the count in each. */
export interface Histogram {
  buckets: number[];
  counts: number[];
}

/** The bucket a value falls in. */
export function bucketOf(value: number): number {
  if (!(value >= smallestTracked)) return 0;
  return Math.max(1, Math.ceil(Math.log(value / smallestTracked) / Math.log(gamma)));
}

/** The value a bucket reads as. */
export function bucketValue(bucket: number): number {
  if (bucket === 0) return 0;
  return (smallestTracked * Math.pow(gamma, bucket) * 2) / (gamma + 1);
}

/** The histogram of some values. */
export function histogramOf(values: readonly number[]): Histogram {
  const cells = new Map<number, number>();
  for (const value of values) {
    const bucket = bucketOf(value);
    cells.set(bucket, (cells.get(bucket) ?? 0) + 1);
  }
  return sparse(cells);
}

/** Two or more histograms as one. */
export function mergeHistograms(parts: readonly Histogram[]): Histogram {
  const cells = new Map<number, number>();
  for (const part of parts) {
    part.buckets.forEach((bucket, i) =>
      cells.set(bucket, (cells.get(bucket) ?? 0) + part.counts[i]!),
    );
  }
  return sparse(cells);
}

/** The value at quantile q (0..1) by nearest rank; null for an empty histogram. */
export function histogramQuantile(histogram: Histogram, q: number): number | null {
  const total = histogram.counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let running = 0;
  for (let i = 0; i < histogram.buckets.length; i++) {
    running += histogram.counts[i]!;
    if (running >= rank) return bucketValue(histogram.buckets[i]!);
  }
  return bucketValue(histogram.buckets.at(-1)!);
}

/** The exact nearest-rank quantile of some values, which the histogram approximates. */
export function exactQuantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

/** SQL for the bucket of the value expression `value` (double precision). */
export function bucketSql(value: string): string {
  return (
    `CASE WHEN ${value} < ${smallestTracked} THEN 0 ELSE greatest(1, ceil(ln(${value} / ` +
    `${smallestTracked}) / ln(${1 + relativeAccuracy} / ${1 - relativeAccuracy})))::integer END`
  );
}

function sparse(cells: Map<number, number>): Histogram {
  const buckets = [...cells.keys()].sort((a, b) => a - b);
  return { buckets, counts: buckets.map((bucket) => cells.get(bucket)!) };
}
