import type { RejectionCounter } from '../protocol/rejection.js';
import type { Store } from '../store/store.js';

/** Counts shown on the status page, by `strata admin status`, and in /metrics. */
export async function hubStatus(
  store: Store,
  extra?: { rejections: RejectionCounter; counters: Record<string, number> },
) {
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
    ...(extra ? { intake: extra.counters, rejections: extra.rejections.snapshot() } : {}),
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
  return `${lines.join('\n')}\n`;
}
