import type { FlowRecord } from '../../collector/network/flow-record.js';
import type { Queryable } from '../../store/store.js';
import type { FlowAttribution } from './flow-attribution.js';

// A connection an agent reported within this long after the interval is still this one: the
// agent samples its connections only at each callback (hourly by default).
const reportSlackSeconds = 3_600;

/**
 * For records attributed to a machine, looks for the same connection in that machine's own
 * callbacks (its connection list: same transport, addresses and ports, sampled between the
 * connection's first packet and shortly after the interval): its account gives the user
 * (unless a tag gave one) and its process the application. One query per batch.
 * Not yet: connections that open and close between two callbacks are never in a list; only a
 * Connector ID tag names their user.
 */
export async function matchReportedConnections(
  db: Queryable,
  records: readonly FlowRecord[],
  attributions: FlowAttribution[],
): Promise<void> {
  const wanted = attributions
    .map((a, i) => ({ a, r: records[i]!, i }))
    .filter(({ a }) => a.machineId !== null);
  if (wanted.length === 0) return;
  // The machine's own end of the connection is its local end in the agent's list.
  const mine = (w: (typeof wanted)[number]) => w.a.side === 'orig';
  const rows = await db.query<{ i: number; user_id: string | null; name: string | null }>(
    `SELECT k.i, u.id AS user_id, p.name
     FROM unnest($1::integer[], $2::uuid[], $3::text[], $4::text[], $5::integer[], $6::text[],
                 $7::integer[], $8::double precision[], $9::double precision[])
       AS k(i, machine_id, protocol, local_address, local_port, remote_address, remote_port,
            from_seconds, to_seconds)
     JOIN LATERAL (
       SELECT c.account, c.pid, c.callback_id FROM connection_samples c
       WHERE c.machine_id = k.machine_id AND c.protocol = k.protocol
         AND c.local_port = k.local_port AND c.remote_port = k.remote_port
         AND c.local_address IN (k.local_address, '::ffff:' || k.local_address)
         AND c.remote_address IN (k.remote_address, '::ffff:' || k.remote_address)
         AND c.sampled_at BETWEEN to_timestamp(k.from_seconds) AND to_timestamp(k.to_seconds)
       ORDER BY c.sampled_at DESC LIMIT 1) c ON true
     LEFT JOIN users u ON u.account = c.account
     LEFT JOIN LATERAL (
       SELECT name FROM process_samples p
       WHERE p.callback_id = c.callback_id AND p.pid = c.pid LIMIT 1) p ON true`,
    [
      wanted.map((w) => w.i),
      wanted.map((w) => w.a.machineId!),
      wanted.map((w) => w.r.transport),
      wanted.map((w) => (mine(w) ? w.r.origAddress : w.r.respAddress)),
      wanted.map((w) => (mine(w) ? w.r.origPort : w.r.respPort)),
      wanted.map((w) => (mine(w) ? w.r.respAddress : w.r.origAddress)),
      wanted.map((w) => (mine(w) ? w.r.respPort : w.r.origPort)),
      wanted.map((w) => w.r.startSeconds),
      wanted.map((w) => w.r.intervalEndSeconds + reportSlackSeconds),
    ],
  );
  for (const row of rows) {
    const attribution = attributions[row.i]!;
    attribution.userId ??= row.user_id;
    attribution.application = row.name;
  }
}
