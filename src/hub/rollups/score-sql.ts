import { scoreInputs, type Thresholds } from './experience-score.js';

/**
 * The experience score formula of experience-score.ts as one SQL statement over the roll-ups:
 * it fills rollup_scores for a level ($1) and some periods ($2, date[]), for every machine,
 * user, application and group at once, or for the machines or groups named. Thresholds are
 * written into the SQL as numbers (they come from code and policies, checked numbers, never
 * from a request).
 */
export function scoreSql(thresholds: Thresholds, only?: 'machine' | 'group'): string {
  // Narrowed to some machines or groups (keys in $3, text[]) that a policy of their own sets
  // the thresholds for.
  const narrowed = only ? ` AND dimension = '${only}' AND key = ANY($3::text[])` : '';
  const values = scoreInputs.map((input) => {
    const dims = input.dimensions.map((d) => `'${d}'`).join(', ');
    const figure =
      input.statistic === 'p95'
        ? `max(CASE WHEN metric = '${input.metric}' ` +
          `THEN rollup_quantile(buckets, bucket_counts, 0.95) END)`
        : `coalesce(sum(CASE WHEN metric = '${input.metric}' THEN count END), 0)::float8 / ` +
          `max(period_days)`;
    return `CASE WHEN dimension IN (${dims}) THEN ${figure} END AS "${input.name}"`;
  });
  const penalty = (name: string, good: number, poor: number) =>
    poor <= good
      ? `CASE WHEN "${name}" > ${good} THEN 1.0 ELSE 0.0 END`
      : `least(1.0, greatest(0.0, ("${name}" - ${good}) / (${poor - good})::float8))`;
  const lost = scoreInputs.map((input) => {
    const p = penalty(input.name, num(input.good(thresholds)), num(input.poor(thresholds)));
    return `coalesce(${input.weight} * ${p}, 0)`;
  });
  const weights = scoreInputs.map(
    (input) => `CASE WHEN "${input.name}" IS NULL THEN 0 ELSE ${input.weight} END`,
  );
  const measured = scoreInputs
    .filter((input) => input.statistic === 'p95')
    .map((input) => `"${input.name}" IS NOT NULL`);
  const inputsJson = scoreInputs.map((input) => `'${input.name}', "${input.name}"`).join(', ');
  return `
    INSERT INTO rollup_scores (level, period_start, dimension, key, score, inputs)
    SELECT level, period_start, dimension, key,
      100.0 * (1.0 - (${lost.join(' + ')}) / (${weights.join(' + ')})),
      jsonb_strip_nulls(jsonb_build_object(${inputsJson}))
    FROM (
      SELECT level, period_start, dimension, key, ${values.join(',\n        ')}
      FROM (
        SELECT r.*, (CASE level WHEN 'day' THEN period_start + 1 WHEN 'week' THEN period_start + 7
            WHEN 'month' THEN (period_start + interval '1 month')::date
            ELSE (period_start + interval '1 year')::date END) - period_start AS period_days
        FROM rollups r WHERE level = $1 AND period_start = ANY($2::date[])${narrowed}
      ) rows
      GROUP BY level, period_start, dimension, key
    ) figures
    WHERE ${measured.join(' OR ')}`;
}

// A threshold written into SQL: a plain finite number.
function num(value: number): number {
  if (!Number.isFinite(value)) throw new Error(`a threshold is not a number: ${value}`);
  return value;
}
