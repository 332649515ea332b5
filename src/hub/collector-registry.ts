import type { Queryable } from '../store/store.js';
import { recordChange } from './change-log.js';

/** A collector that has not reported for this many report intervals is shown as down: 3. */
const missedReportsUntilDown = 3;
/** Report interval assumed for a collector whose configuration does not set one: 10 s. */
const defaultReportSeconds = 10;

/** Where a collector stands as the hub sees it. */
export type CollectorListState = 'up' | 'store_unavailable' | 'down' | 'never_reported' | 'revoked';

interface CollectorRow {
  id: string;
  name: string;
  status: 'active' | 'revoked';
  intake_url: string | null;
  software_version: string;
  config: Record<string, number>;
  config_version: number;
  applied_config_version: number | null;
  reported_at: Date | null;
  report: Record<string, unknown>;
}

/** Stores a collector's report; answers with the configuration the hub wants it to run. */
export async function recordCollectorReport(
  db: Queryable,
  collectorId: string,
  report: Record<string, unknown>,
) {
  const rows = await db.query<{ config: Record<string, number>; config_version: number }>(
    `INSERT INTO collectors (component_id, intake_url, roles, software_version, reported_at, report,
       applied_config_version)
     VALUES ($1, $2, $3, $4, now(), $5::text::jsonb, $6)
     ON CONFLICT (component_id) DO UPDATE SET intake_url = EXCLUDED.intake_url,
       roles = EXCLUDED.roles, software_version = EXCLUDED.software_version,
       reported_at = EXCLUDED.reported_at, report = EXCLUDED.report,
       applied_config_version = EXCLUDED.applied_config_version
     RETURNING config, config_version`,
    [
      collectorId,
      typeof report.intakeUrl === 'string' ? report.intakeUrl : null,
      Array.isArray(report.roles) ? report.roles.join(',') : '',
      typeof report.version === 'string' ? report.version : '',
      JSON.stringify(report),
      Number.isSafeInteger(report.appliedConfigVersion)
        ? (report.appliedConfigVersion as number)
        : null,
    ],
  );
  return { configVersion: rows[0]!.config_version, config: rows[0]!.config };
}

/** Every activated collector with its state and latest report, for the API and status page. */
export async function listCollectors(db: Queryable, nowMillis: number) {
  const rows = await db.query<CollectorRow>(
    `SELECT c.id, c.name, c.status, k.intake_url,
       coalesce(k.software_version, '') AS software_version,
       coalesce(k.config, '{}') AS config, coalesce(k.config_version, 1) AS config_version,
       k.applied_config_version, k.reported_at, coalesce(k.report, '{}') AS report
     FROM components c LEFT JOIN collectors k ON k.component_id = c.id
     WHERE c.kind = 'collector' ORDER BY c.name, c.id`,
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    state: stateOf(row, nowMillis),
    intakeUrl: row.intake_url,
    version: row.software_version,
    reportedAt: row.reported_at ? new Date(row.reported_at).toISOString() : null,
    config: row.config,
    configVersion: row.config_version,
    appliedConfigVersion: row.applied_config_version,
    queue: row.report.queue ?? null,
    intake: row.report.intake ?? null,
    rejections: row.report.rejections ?? null,
  }));
}

function stateOf(row: CollectorRow, nowMillis: number): CollectorListState {
  if (row.status === 'revoked') return 'revoked';
  if (!row.reported_at) return 'never_reported';
  const intervalMillis = (row.config.reportIntervalSeconds ?? defaultReportSeconds) * 1_000;
  if (nowMillis - new Date(row.reported_at).getTime() > missedReportsUntilDown * intervalMillis)
    return 'down';
  return row.report.state === 'store_unavailable' ? 'store_unavailable' : 'up';
}

/**
 * Replaces the settings pushed to a collector; it picks them up with its next report.
 * Not yet: these are per collector; they become part of versioned policies for groups.
 */
export async function setCollectorConfig(
  db: Queryable,
  collectorId: string,
  config: Record<string, number>,
  actor: string,
): Promise<{ configVersion: number } | null> {
  const rows = await db.query<{ config_version: number }>(
    `INSERT INTO collectors (component_id, config) SELECT id, $2::text::jsonb FROM components
       WHERE id = $1 AND kind = 'collector'
     ON CONFLICT (component_id) DO UPDATE SET config = EXCLUDED.config,
       config_version = collectors.config_version + 1
     RETURNING config_version`,
    [collectorId, JSON.stringify(config)],
  );
  if (rows.length === 0) return null;
  await recordChange(db, {
    actor,
    action: 'collector.configure',
    subject: collectorId,
    detail: config,
  });
  return { configVersion: rows[0]!.config_version };
}

/** Callback collectors agents may send to: active, reporting, with an intake address. */
export async function collectorsForAgents(db: Queryable) {
  const rows = await db.query<{
    id: string;
    intake_url: string;
    public_key_pem: string;
    certificate_pem: string;
  }>(
    `SELECT c.id, k.intake_url, c.public_key_pem, c.certificate_pem FROM collectors k
     JOIN components c ON c.id = k.component_id
     WHERE c.status = 'active' AND k.intake_url IS NOT NULL AND k.roles LIKE '%callbacks%'
     ORDER BY c.id`,
  );
  return rows.map((row) => ({
    id: row.id,
    url: row.intake_url,
    publicKeyPem: row.public_key_pem,
    certificatePem: row.certificate_pem,
  }));
}
