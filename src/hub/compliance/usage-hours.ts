/**
 * Hours of use per user and machine, for billing: the time between each logon and its logoff,
 * counted within the period asked for, on machines whose policy turns usage accounting on.
 *
 * Sessions come from the logon and logoff events agents report. A logon whose logoff never
 * came is counted until the next logon on the same terminal, or while the machine went on
 * reporting (its latest sample), never past the period's end. A logoff whose logon was not
 * seen counts from the session length the agent measured. Known limit: a session counts only
 * if its logon (or its logoff) falls within 31 days before the period's end.
 */
import type { Queryable } from '../../store/store.js';

export interface UsageHoursRow {
  machineId: string;
  hostname: string;
  account: string;
  sessions: number;
  hours: number;
}

export interface UsageHours {
  from: string;
  to: string;
  rows: UsageHoursRow[];
  totalHours: number;
  /** Machines left out because their policy does not turn usage accounting on. */
  machinesNotAccounted: number;
}

/** How far before the period's end events are read to find sessions that reach into it. */
const lookBackDays = 31;

export async function usageHours(
  db: Queryable,
  period: { from: Date; to: Date },
): Promise<UsageHours> {
  const from = period.from;
  const to = period.to;
  const readFrom = new Date(to.getTime() - lookBackDays * 86_400_000);
  const rows = await db.query<{
    machine_id: string;
    hostname: string;
    account: string;
    sessions: string;
    seconds: number | string;
  }>(
    `WITH accounted AS (
       SELECT m.id, m.hostname, m.latest_sampled_at FROM machines m
       JOIN components c ON c.id = m.agent_id
       JOIN policies p ON p.id = c.policy_id
       WHERE p.settings ->> 'usageAccounting' = 'true'
     ),
     events AS (
       SELECT e.machine_id, e.account, e.terminal, e.event, e.at, e.session_millis,
         lead(e.event) OVER w AS next_event, lead(e.at) OVER w AS next_at,
         lag(e.event) OVER w AS previous_event
       FROM logon_events e JOIN accounted a ON a.id = e.machine_id
       WHERE e.at >= $3 AND e.at < $2
       WINDOW w AS (PARTITION BY e.machine_id, e.account, e.terminal ORDER BY e.at)
     ),
     sessions AS (
       SELECT ev.machine_id, ev.account, ev.at AS started,
         CASE WHEN ev.next_at IS NOT NULL THEN ev.next_at
              ELSE least($2, greatest(ev.at, a.latest_sampled_at)) END AS ended
       FROM events ev JOIN accounted a ON a.id = ev.machine_id
       WHERE ev.event = 'logon'
       UNION ALL
       SELECT machine_id, account, at - session_millis * interval '1 millisecond', at
       FROM events
       WHERE event = 'logoff' AND session_millis IS NOT NULL
         AND previous_event IS DISTINCT FROM 'logon'
     ),
     clipped AS (
       SELECT machine_id, account,
         extract(epoch FROM least(ended, $2) - greatest(started, $1)) AS seconds
       FROM sessions WHERE ended > $1 AND started < $2
     )
     SELECT c.machine_id, a.hostname, c.account, count(*) AS sessions,
       sum(greatest(c.seconds, 0)) AS seconds
     FROM clipped c JOIN accounted a ON a.id = c.machine_id
     GROUP BY c.machine_id, a.hostname, c.account
     ORDER BY a.hostname, c.account`,
    [from, to, readFrom],
  );
  const [left] = await db.query<{ count: string }>(
    `SELECT count(*) FROM machines m
     LEFT JOIN components c ON c.id = m.agent_id
     LEFT JOIN policies p ON p.id = c.policy_id
     WHERE p.settings ->> 'usageAccounting' IS DISTINCT FROM 'true'`,
  );
  const result = rows.map((row) => ({
    machineId: row.machine_id,
    hostname: row.hostname,
    account: row.account,
    sessions: Number(row.sessions),
    hours: Math.round((Number(row.seconds) / 3_600) * 1_000) / 1_000,
  }));
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    rows: result,
    totalHours: Math.round(result.reduce((sum, row) => sum + row.hours, 0) * 1_000) / 1_000,
    machinesNotAccounted: Number(left!.count),
  };
}
