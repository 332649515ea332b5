import type { RejectionCounter } from '../protocol/rejection.js';
import type { Store } from '../store/store.js';
import { listDayPartitions, rowsInDefault } from '../store/day-partitions.js';
import { timeSeriesTables } from '../store/time-series.js';
import { listCollectors } from './collector-registry.js';
import { listJobStates } from './jobs/job-table.js';
import { readRetentionSettings } from './retention/retention-settings.js';

/** Rows counted per DEFAULT partition on the status page, at most: 100,000. */
const waitingCountLimit = 100_000;

/** Counts shown on the status page, by `strata admin status`, and in /metrics. */
export async function hubStatus(
  store: Store,
  extra?: {
    rejections: RejectionCounter;
    counters: Record<string, number>;
    nowMillis?: () => number;
  },
) {
  const nowMillis = extra?.nowMillis?.() ?? Date.now();
  const [counts] = await store.query<Record<string, number>>(
    `SELECT
       (SELECT count(*)::int FROM machines) AS machines,
       (SELECT count(*)::int FROM users) AS users,
       (SELECT count(*)::int FROM callbacks) AS callbacks,
       (SELECT count(*)::int FROM components WHERE kind = 'agent' AND status = 'active') AS agents,
       (SELECT count(*)::int FROM components WHERE kind = 'collector' AND status = 'active')
         AS collectors`,
  );
  return {
    store: { kind: store.kind, location: store.location },
    counts,
    agentSpoolDrops: await agentSpoolDrops(store),
    ...(extra ? { intake: extra.counters, rejections: extra.rejections.snapshot() } : {}),
    collectors: (await listCollectors(store, Date.now())).map(collectorSummary),
    timeSeries: await timeSeriesStatus(store),
    jobs: await listJobStates(store, nowMillis),
  };
}

/**
 * The day partitions held (count, first and last day, bytes), the retention settings, and the
 * rows waiting in DEFAULT partitions for the partition maintainer (counted up to 100,000 each).
 */
async function timeSeriesStatus(store: Store) {
  const partitions = await listDayPartitions(store);
  const days = [...new Set(partitions.map((partition) => partition.day))];
  const waitingInDefault: Record<string, number> = {};
  for (const series of timeSeriesTables) {
    const rows = await rowsInDefault(store, series, waitingCountLimit);
    if (rows > 0) waitingInDefault[series.table] = rows;
  }
  return {
    retention: await readRetentionSettings(store),
    partitions: partitions.length,
    firstDay: days[0] ?? null,
    lastDay: days.at(-1) ?? null,
    partitionBytes: partitions.reduce((sum, partition) => sum + partition.bytes, 0),
    waitingInDefault,
  };
}

/**
 * Callbacks the agents' offline spools dropped, by reason, summed over machines: each agent
 * reports its running totals in every callback, and the machine keeps the latest.
 */
async function agentSpoolDrops(store: Store): Promise<Record<string, number>> {
  const rows = await store.query<{ reason: string; n: number }>(
    `SELECT d.key AS reason, sum(d.value::bigint)::float8 AS n
     FROM machines m, jsonb_each_text(m.latest_sample->'spoolDrops') d
     GROUP BY d.key ORDER BY d.key`,
  );
  return Object.fromEntries(rows.map((row) => [row.reason, Number(row.n)]));
}

/** What the status page shows of each collector: its state, its queue, and what it refused. */
function collectorSummary(collector: Awaited<ReturnType<typeof listCollectors>>[number]) {
  const queue = (collector.queue ?? {}) as {
    records?: number;
    bytes?: number;
    oldestAgeSeconds?: number;
    setAside?: Record<string, { count: number; bytes: number }>;
  };
  const intake = (collector.intake ?? {}) as {
    refused?: Record<string, number>;
    dropped?: Record<string, number>;
  };
  return {
    id: collector.id,
    name: collector.name,
    state: collector.state,
    queueRecords: queue.records ?? 0,
    queueBytes: queue.bytes ?? 0,
    queueOldestAgeSeconds: queue.oldestAgeSeconds ?? 0,
    setAside: Object.fromEntries(
      Object.entries(queue.setAside ?? {}).map(([reason, item]) => [reason, item.count]),
    ),
    refused: intake.refused ?? {},
    dropped: intake.dropped ?? {},
    rejections: (collector.rejections ?? {}) as Record<string, number>,
  };
}

/** The same figures in Prometheus' text format. */
export function metricsText(status: Awaited<ReturnType<typeof hubStatus>>): string {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(status.counts ?? {})) {
    lines.push(`# TYPE strata_${name} gauge`, `strata_${name} ${value}`);
  }
  for (const [name, value] of Object.entries(status.intake ?? {})) {
    const metric = `strata_${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_total`;
    lines.push(`# TYPE ${metric} counter`, `${metric} ${value}`);
  }
  lines.push('# TYPE strata_messages_rejected_total counter');
  for (const [reason, value] of Object.entries(status.rejections ?? {})) {
    lines.push(`strata_messages_rejected_total{reason="${reason}"} ${value}`);
  }
  lines.push('# TYPE strata_agent_spool_dropped_total counter');
  for (const [reason, value] of Object.entries(status.agentSpoolDrops ?? {})) {
    lines.push(`strata_agent_spool_dropped_total{reason="${reason}"} ${value}`);
  }
  lines.push(...collectorMetrics(status.collectors));
  lines.push(...lifecycleMetrics(status));
  return `${lines.join('\n')}\n`;
}

/** Per collector: queue gauges, and every refused, dropped or set-aside item by reason. */
function collectorMetrics(collectors: Array<ReturnType<typeof collectorSummary>>): string[] {
  const lines = [
    '# TYPE strata_collector_up gauge',
    '# TYPE strata_collector_queue_records gauge',
    '# TYPE strata_collector_queue_bytes gauge',
    '# TYPE strata_collector_queue_oldest_age_seconds gauge',
    '# TYPE strata_collector_refused_total counter',
    '# TYPE strata_collector_dropped_total counter',
    '# TYPE strata_collector_set_aside_total counter',
    '# TYPE strata_collector_messages_rejected_total counter',
  ];
  for (const c of collectors) {
    const label = `collector="${c.id}"`;
    lines.push(
      `strata_collector_up{${label}} ${c.state === 'up' ? 1 : 0}`,
      `strata_collector_queue_records{${label}} ${c.queueRecords}`,
      `strata_collector_queue_bytes{${label}} ${c.queueBytes}`,
      `strata_collector_queue_oldest_age_seconds{${label}} ${c.queueOldestAgeSeconds}`,
    );
    const byReason: Array<[string, Record<string, number>]> = [
      ['refused', c.refused],
      ['dropped', c.dropped],
      ['set_aside', c.setAside],
      ['messages_rejected', c.rejections],
    ];
    for (const [metric, counts] of byReason) {
      for (const [reason, value] of Object.entries(counts)) {
        lines.push(`strata_collector_${metric}_total{${label},reason="${reason}"} ${value}`);
      }
    }
  }
  return lines;
}

/** Day partitions, rows waiting in DEFAULT partitions, and each scheduled job's runs. */
function lifecycleMetrics(status: Awaited<ReturnType<typeof hubStatus>>): string[] {
  const lines = [
    '# TYPE strata_time_series_partitions gauge',
    `strata_time_series_partitions ${status.timeSeries.partitions}`,
    '# TYPE strata_time_series_partition_bytes gauge',
    `strata_time_series_partition_bytes ${status.timeSeries.partitionBytes}`,
    '# TYPE strata_time_series_waiting_rows gauge',
    ...Object.entries(status.timeSeries.waitingInDefault).map(
      ([table, rows]) => `strata_time_series_waiting_rows{table="${table}"} ${rows}`,
    ),
    '# TYPE strata_job_runs_total counter',
    '# TYPE strata_job_failures_total counter',
    '# TYPE strata_job_last_duration_seconds gauge',
  ];
  for (const job of status.jobs) {
    const label = `job="${job.name}"`;
    lines.push(
      `strata_job_runs_total{${label}} ${job.runs}`,
      `strata_job_failures_total{${label}} ${job.failures}`,
      `strata_job_last_duration_seconds{${label}} ${(job.lastDurationMillis ?? 0) / 1000}`,
    );
  }
  return lines;
}
