import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '../store/store.js';
import { recordChange } from './change-log.js';
import { findPerson, type Person, type Role } from './people.js';
import type { TokenScope } from './token-scopes.js';

/** How long a browser session lasts after sign-in: 12 hours. */
export const webSessionMillis = 12 * 60 * 60_000;
const apiTokenPrefix = 'stk_';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** Starts a browser session; returns the cookie value. Only its hash is stored. */
export async function createWebSession(db: Queryable, person: Person): Promise<string> {
  const value = randomBytes(32).toString('base64url');
  await db.query('INSERT INTO web_sessions (id_hash, person_id, expires_at) VALUES ($1, $2, $3)', [
    sha256(value),
    person.id,
    new Date(Date.now() + webSessionMillis),
  ]);
  return value;
}

export async function findWebSession(db: Queryable, value: string): Promise<Person | null> {
  const rows = await db.query<{ person_id: string }>(
    'SELECT person_id FROM web_sessions WHERE id_hash = $1 AND expires_at > now()',
    [sha256(value)],
  );
  return rows[0] ? findPerson(db, rows[0].person_id) : null;
}

export async function endWebSession(db: Queryable, value: string): Promise<void> {
  await db.query('DELETE FROM web_sessions WHERE id_hash = $1', [sha256(value)]);
}

export interface ApiTokenRequest {
  role: Role;
  /** Narrow the token to these scopes (see token-scopes.ts); none: all its role allows. */
  scopes?: TokenScope[];
  label?: string;
  /** Days until it expires; without it, never. */
  expiresDays?: number;
  actor: string;
}

/** Issues an API token for programs; the token is returned once and only its hash is kept. */
export async function createApiToken(db: Queryable, request: ApiTokenRequest) {
  const id = randomUUID();
  const token = `${apiTokenPrefix}${randomBytes(32).toString('base64url')}`;
  const expiresAt = request.expiresDays
    ? new Date(Date.now() + request.expiresDays * 86_400_000)
    : null;
  const scopes = [...new Set(request.scopes ?? [])].sort();
  await db.query(
    `INSERT INTO api_tokens (id, token_hash, role, scopes, label, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, sha256(token), request.role, scopes, request.label ?? '', expiresAt],
  );
  await recordChange(db, {
    actor: request.actor,
    action: 'api_token.create',
    subject: id,
    detail: { role: request.role, scopes, label: request.label ?? '', expiresAt },
  });
  return { id, token, role: request.role, scopes, expiresAt };
}

/** Every API token, newest first, without any secret. */
export async function listApiTokens(db: Queryable) {
  const rows = await db.query<{
    id: string;
    role: Role;
    scopes: string[];
    label: string;
    created_at: Date;
    expires_at: Date | null;
    revoked_at: Date | null;
    last_used_at: Date | null;
  }>('SELECT * FROM api_tokens ORDER BY created_at DESC, id');
  return rows.map((row) => ({
    id: row.id,
    role: row.role,
    scopes: row.scopes,
    label: row.label,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  }));
}

/** Revokes a token at once; false when there is no such token or it is revoked already. */
export async function revokeApiToken(db: Queryable, id: string, actor: string) {
  const rows = await db.query(
    'UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id',
    [id],
  );
  if (rows.length === 0) return false;
  await recordChange(db, { actor, action: 'api_token.revoke', subject: id });
  return true;
}

/** The identity behind a bearer token, or null when it is unknown, revoked or expired. */
export async function findApiToken(db: Queryable, token: string) {
  if (!token.startsWith(apiTokenPrefix)) return null;
  const rows = await db.query<{ id: string; role: Role; scopes: string[] }>(
    `UPDATE api_tokens SET last_used_at = now()
     WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
     RETURNING id, role, scopes`,
    [sha256(token)],
  );
  return rows[0] ?? null;
}
