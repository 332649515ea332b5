/**
 * The store's detail time series: tables partitioned by day (UTC) on one time column, each
 * with a DEFAULT partition `<table>_default` for rows whose day has no partition yet, and day
 * partitions `<table>_pYYYYMMDD`. Table and column names here come from code, never from input.
 */

export interface TimeSeriesTable {
  table: string;
  /** The column the table is partitioned on. */
  timeColumn: string;
}

/** Every table partitioned by day (migration 0017), in the order intake fills them. */
export const timeSeriesTables: readonly TimeSeriesTable[] = [
  { table: 'callbacks', timeColumn: 'sampled_at' },
  { table: 'machine_samples', timeColumn: 'sampled_at' },
  { table: 'process_samples', timeColumn: 'sampled_at' },
  { table: 'connection_samples', timeColumn: 'sampled_at' },
  { table: 'logon_events', timeColumn: 'at' },
  { table: 'application_events', timeColumn: 'at' },
  { table: 'usage_samples', timeColumn: 'sampled_at' },
  { table: 'display_session_samples', timeColumn: 'sampled_at' },
  { table: 'gpu_samples', timeColumn: 'sampled_at' },
  { table: 'machine_series_points', timeColumn: 'sampled_at' },
  { table: 'browser_site_samples', timeColumn: 'sampled_at' },
  { table: 'network_flows', timeColumn: 'interval_start' },
];

/** One day in milliseconds. */
export const dayMillis = 86_400_000;

/** A UTC day as `YYYY-MM-DD`. */
export type Day = string;

/** The UTC day an instant falls on. */
export function dayOf(millis: number): Day {
  return new Date(millis).toISOString().slice(0, 10);
}

/** Where a UTC day starts, in milliseconds since the epoch. */
export function dayStartMillis(day: Day): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** The day `count` days after `day` (before, when negative). */
export function addDays(day: Day, count: number): Day {
  return dayOf(dayStartMillis(day) + count * dayMillis);
}

/** The name of a table's partition for a day: `process_samples_p20261204`. */
export function partitionName(table: string, day: Day): string {
  return `${table}_p${day.replaceAll('-', '')}`;
}

/** The name of a table's DEFAULT partition. */
export function defaultPartitionName(table: string): string {
  return `${table}_default`;
}

/** The day a partition name stands for, or null for a name that is not a day partition. */
export function dayOfPartition(table: string, name: string): Day | null {
  const match = new RegExp(`^${table}_p(\\d{4})(\\d{2})(\\d{2})$`).exec(name);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : null;
}
