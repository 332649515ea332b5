import { createHash } from 'node:crypto';
import {
  maxReleaseBytes,
  signManifest,
  type ReleaseManifest,
  type SignedManifest,
} from '../protocol/release-manifest.js';
import { compareVersions, isReleaseVersion } from '../protocol/release-version.js';
import { HttpError } from '../shared/errors.js';
import type { Queryable, Store } from '../store/store.js';
import { recordChange } from './change-log.js';

/** A published release as people see it (the bundle itself is fetched apart). */
export interface ReleaseSummary {
  version: string;
  sha256: string;
  sizeBytes: number;
  createdAt: string;
  publishedBy: string;
}

export interface PublishRequest {
  version: string;
  bundle: Buffer;
  actor: string;
  /** The site CA's private key: the manifest is signed with it. */
  caPrivateKeyPem: string;
  now?: Date;
}

/**
 * Publishes an agent release: stores the bundle and a manifest signed by the site CA.
 * Publishing the same bytes again under the same version is a no-op; different bytes under a
 * version already published are refused, so a version always names one bundle.
 * Not yet: withdrawing a release; until then a bad release is replaced by publishing a newer
 * version, which agents take at their next check.
 */
export async function publishRelease(store: Store, request: PublishRequest) {
  if (!isReleaseVersion(request.version)) {
    throw new HttpError(400, 'bad_version', 'the version must look like 1.2.3 or 1.2.3-rc.1');
  }
  if (request.bundle.length === 0 || request.bundle.length > maxReleaseBytes) {
    throw new HttpError(400, 'bad_bundle', `a bundle holds 1 to ${maxReleaseBytes} bytes`);
  }
  const manifest: ReleaseManifest = {
    schema: 'strata.agent-release.v1',
    version: request.version,
    sha256: createHash('sha256').update(request.bundle).digest('hex'),
    sizeBytes: request.bundle.length,
    createdAt: (request.now ?? new Date()).toISOString(),
  };
  const signed = signManifest(manifest, request.caPrivateKeyPem);

  return store.transaction(async (tx) => {
    const inserted = await tx.query<{ version: string }>(
      `INSERT INTO agent_releases
         (version, manifest, signature, sha256, size_bytes, bundle, published_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (version) DO NOTHING RETURNING version`,
      [
        ...[manifest.version, signed.manifest, signed.signature, manifest.sha256],
        ...[manifest.sizeBytes, request.bundle, request.actor],
      ],
    );
    if (inserted.length === 0) return samePublishedAgain(tx, manifest);
    await recordChange(tx, {
      actor: request.actor,
      action: 'agent_release.publish',
      subject: manifest.version,
      detail: { sha256: manifest.sha256, sizeBytes: manifest.sizeBytes },
    });
    return { status: 'published' as const, ...summaryOf(manifest, request.actor) };
  });
}

async function samePublishedAgain(tx: Queryable, manifest: ReleaseManifest) {
  const [row] = await tx.query<ReleaseRow>(`${summarySql} WHERE version = $1`, [manifest.version]);
  if (row?.sha256 !== manifest.sha256) {
    throw new HttpError(
      409,
      'release_exists',
      `version ${manifest.version} is already published with other contents; ` +
        'give the new bundle a new version',
    );
  }
  return { status: 'unchanged' as const, ...toSummary(row) };
}

/** Every published release, newest version first. */
export async function listReleases(db: Queryable): Promise<ReleaseSummary[]> {
  const rows = await db.query<ReleaseRow>(summarySql);
  return rows.map(toSummary).sort((a, b) => compareVersions(b.version, a.version));
}

/** The signed manifest of the newest release after `currentVersion`, or null when none is. */
export async function newerRelease(
  db: Queryable,
  currentVersion: string,
): Promise<SignedManifest | null> {
  const newest = (await listReleases(db))[0];
  if (!newest || !isReleaseVersion(currentVersion)) return null;
  if (compareVersions(newest.version, currentVersion) <= 0) return null;
  const [row] = await db.query<SignedManifest>(
    'SELECT manifest, signature FROM agent_releases WHERE version = $1',
    [newest.version],
  );
  return row ? { manifest: row.manifest, signature: row.signature } : null;
}

/**
 * Removes a published release, so agents are no longer offered it; the next newest is offered
 * instead. Agents that installed it keep it. False when no such release is published.
 */
export async function withdrawRelease(
  store: Store,
  version: string,
  actor: string,
): Promise<boolean> {
  if (!isReleaseVersion(version)) return false;
  return store.transaction(async (tx) => {
    const rows = await tx.query('DELETE FROM agent_releases WHERE version = $1 RETURNING version', [
      version,
    ]);
    if (rows.length > 0)
      await recordChange(tx, { actor, action: 'agent_release.withdraw', subject: version });
    return rows.length > 0;
  });
}

/** The bundle of a published release, or null. */
export async function releaseBundle(db: Queryable, version: string): Promise<Buffer | null> {
  if (!isReleaseVersion(version)) return null;
  const [row] = await db.query<{ bundle: Uint8Array }>(
    'SELECT bundle FROM agent_releases WHERE version = $1',
    [version],
  );
  // PGlite answers a bytea with a Uint8Array, the pg driver with a Buffer.
  return row ? Buffer.from(row.bundle) : null;
}

interface ReleaseRow {
  version: string;
  sha256: string;
  size_bytes: string | number;
  created_at: Date;
  published_by: string;
}

const summarySql =
  'SELECT version, sha256, size_bytes, created_at, published_by FROM agent_releases';

function toSummary(row: ReleaseRow): ReleaseSummary {
  return {
    version: row.version,
    sha256: row.sha256,
    sizeBytes: Number(row.size_bytes),
    createdAt: new Date(row.created_at).toISOString(),
    publishedBy: row.published_by,
  };
}

function summaryOf(manifest: ReleaseManifest, actor: string): ReleaseSummary {
  const { version, sha256, sizeBytes, createdAt } = manifest;
  return { version, sha256, sizeBytes, createdAt, publishedBy: actor };
}
