import {
  defaultPartitionBytes,
  deleteDefaultRowsBefore,
  dropDayPartition,
  listDayPartitions,
  type DayPartition,
} from '../../store/day-partitions.js';
import type { Store } from '../../store/store.js';
import { dayMillis, dayOf, timeSeriesTables, type Day } from '../../store/time-series.js';
import type { RetentionRemoval, RetentionRule } from './retention-rules.js';

/** Tally of what was removed, built up as partitions and rows go. */
class Tally {
  readonly tables = new Set<string>();
  readonly days = new Set<Day>();
  rows = 0;
  bytes = 0;
  readonly notes: string[] = [];

  add(table: string, days: readonly Day[], rows: number, bytes: number) {
    this.tables.add(table);
    for (const day of days) this.days.add(day);
    this.rows += rows;
    this.bytes += bytes;
  }

  removal(rule: string): RetentionRemoval {
    return {
      rule,
      tables: [...this.tables].sort(),
      days: [...this.days].sort(),
      rowsEstimate: this.rows,
      bytes: this.bytes,
      ...(this.notes.length > 0 ? { notes: this.notes } : {}),
    };
  }
}

/**
 * Retention of detail: drops whole day partitions (UTC days) that ended more than
 * `detailDays` ago, deletes the rows of the same days still waiting in DEFAULT partitions, and
 * forgets network flow batch ids of those days. Then, with a storage ceiling set, drops the
 * oldest remaining days, every table's partition of a day together, until the detail
 * partitions fit under it. Today's, later and DEFAULT partitions are never dropped: if they
 * alone pass the ceiling, every earlier day goes and the run's notes say the ceiling is not met.
 */
export function detailRetentionRule(): RetentionRule {
  return {
    name: 'detail',
    async run(store, { nowMillis, settings }) {
      const tally = new Tally();
      const firstKept = dayOf(nowMillis - settings.detailDays * dayMillis);
      await dropByAge(store, firstKept, tally);
      if (settings.ceilingBytes !== null) {
        await dropToCeiling(store, settings.ceilingBytes, dayOf(nowMillis), tally);
      }
      return tally.removal('detail');
    },
  };
}

async function dropByAge(store: Store, firstKept: Day, tally: Tally): Promise<void> {
  for (const partition of await listDayPartitions(store)) {
    if (partition.day >= firstKept) continue;
    await dropPartition(store, partition, tally);
  }
  for (const series of timeSeriesTables) {
    const deleted = await deleteDefaultRowsBefore(store, series, firstKept);
    if (deleted.rows > 0) tally.add(series.table, deleted.days, deleted.rows, 0);
  }
  const batches = await store.query<{ n: number }>(
    `WITH gone AS (DELETE FROM network_flow_batches WHERE received_at < $1 RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [new Date(`${firstKept}T00:00:00Z`)],
  );
  if (batches[0]!.n > 0) tally.add('network_flow_batches', [], batches[0]!.n, 0);
}

async function dropToCeiling(
  store: Store,
  ceilingBytes: number,
  today: Day,
  tally: Tally,
): Promise<void> {
  const partitions = await listDayPartitions(store);
  let total =
    partitions.reduce((sum, partition) => sum + partition.bytes, 0) +
    (await defaultPartitionBytes(store));
  const droppable = [...new Set(partitions.map((p) => p.day))].filter((day) => day < today);
  for (const day of droppable.sort()) {
    if (total <= ceilingBytes) break;
    for (const partition of partitions.filter((p) => p.day === day)) {
      total -= await dropPartition(store, partition, tally);
    }
  }
  if (total > ceilingBytes) {
    tally.notes.push(
      `storage ceiling of ${ceilingBytes} bytes not met: ${total} bytes remain in today's, ` +
        'later and DEFAULT partitions, which are never dropped',
    );
  }
}

async function dropPartition(store: Store, partition: DayPartition, tally: Tally) {
  const dropped = await dropDayPartition(store, partition.table, partition.day);
  if (dropped === 'absent') return 0; // another run dropped it first
  if (dropped === 'busy') {
    tally.notes.push(`${partition.name} was kept until the next run: a query held its table`);
    return 0;
  }
  tally.add(partition.table, [partition.day], dropped.rows, dropped.bytes);
  return dropped.bytes;
}
