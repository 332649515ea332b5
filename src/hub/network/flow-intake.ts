import type { FlowBatch } from '../../collector/network/flow-batch-reader.js';
import type { FlowRecord, NanosStats } from '../../collector/network/flow-record.js';
import { copyLine, type CopyValue } from '../../store/copy-text.js';
import type { Store } from '../../store/store.js';
import { attributeFlows, type FlowAttribution } from './flow-attribution.js';

const flowColumns = [
  'collector_id',
  'batch_id',
  'interval_start',
  'interval_end',
  'connection_start',
  'transport',
  'orig_address',
  'orig_port',
  'resp_address',
  'resp_port',
  'protocol',
  'protocol_rule',
  'server_name',
  'application',
  'machine_id',
  'user_id',
  'attribution',
  'machine_side',
  'end_reason',
  'conn_state',
  'history',
  ...['orig', 'resp'].flatMap((side) =>
    ['packets', 'bytes', 'payload_bytes', 'retransmissions', 'out_of_order', 'zero_windows'].map(
      (name) => `${side}_${name}`,
    ),
  ),
  'handshake_rtt_seconds',
  ...['ack_rtt', 'response'].flatMap((name) =>
    ['count', 'sum_seconds', 'min_seconds', 'max_seconds'].map((part) => `${name}_${part}`),
  ),
  'response_unanswered',
];

/** What storing a batch came to. */
export type FlowBatchOutcome =
  { kind: 'stored'; records: number; attributed: number } | { kind: 'duplicate' };

/**
 * Stores one batch of flow records from a collector in one transaction, attributed: the batch
 * id first (a batch seen before is acknowledged again and stored nothing), then every row
 * with COPY.
 */
export async function storeFlowBatch(
  store: Store,
  collectorId: string,
  batch: FlowBatch,
): Promise<FlowBatchOutcome> {
  return store.transaction(async (tx) => {
    const fresh = await tx.query(
      `INSERT INTO network_flow_batches (batch_id, collector_id, created_at, records)
       VALUES ($1, $2, to_timestamp($3::double precision / 1000), $4)
       ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id`,
      [batch.batchId, collectorId, batch.createdAtMillis, batch.records.length],
    );
    if (fresh.length === 0) return { kind: 'duplicate' };
    const attributions = await attributeFlows(tx, batch.records);
    const lines = batch.records.map((record, i) =>
      copyLine(flowRow(collectorId, batch.batchId, record, attributions[i]!)),
    );
    if (lines.length > 0) await tx.copyFrom('network_flows', flowColumns, lines.join(''));
    const attributed = attributions.filter((a) => a.machineId !== null).length;
    return { kind: 'stored', records: lines.length, attributed };
  });
}

function flowRow(
  collectorId: string,
  batchId: string,
  r: FlowRecord,
  a: FlowAttribution,
): CopyValue[] {
  return [
    collectorId,
    batchId,
    timestamp(r.intervalStartSeconds),
    timestamp(r.intervalEndSeconds),
    timestamp(r.startSeconds + r.startNanos / 1e9),
    r.transport,
    r.origAddress,
    r.origPort,
    r.respAddress,
    r.respPort,
    r.protocol,
    r.protocolRule,
    r.serverName,
    a.application,
    a.machineId,
    a.userId,
    a.source,
    a.side,
    r.end,
    r.connState,
    r.history,
    ...[r.orig, r.resp].flatMap((c) => [
      c.packets,
      c.bytes,
      c.payloadBytes,
      c.retransmissions,
      c.outOfOrder,
      c.zeroWindows,
    ]),
    r.handshakeRttNanos === undefined ? null : r.handshakeRttNanos / 1e9,
    ...seconds(r.ackRtt),
    ...seconds(r.responseTime),
    r.responseTime.unanswered,
  ];
}

function seconds(stats: NanosStats): CopyValue[] {
  const some = stats.count > 0;
  return [
    stats.count,
    stats.sumNanos / 1e9,
    some ? stats.minNanos / 1e9 : null,
    some ? stats.maxNanos / 1e9 : null,
  ];
}

// Microseconds, as PostgreSQL keeps them, in ISO text (UTC): no time zone question.
function timestamp(epochSeconds: number): string {
  const micros = Math.round(epochSeconds * 1e6);
  const millis = Math.floor(micros / 1_000);
  const iso = new Date(millis).toISOString();
  return `${iso.slice(0, -1)}${String(micros - millis * 1_000).padStart(3, '0')}Z`;
}
