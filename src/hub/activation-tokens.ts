import { randomUUID } from 'node:crypto';
import {
  formatActivationToken,
  hashSecret,
  newActivationSecret,
} from '../protocol/activation-token.js';
import type { ActivationTokenView } from '../protocol/activation-token-view.js';
import type { Queryable } from '../store/store.js';

export type { ActivationTokenView };
import { recordChange } from './change-log.js';

/** Defaults for a new activation token: one use, valid for 24 hours. */
export const defaultActivationUses = 1;
export const defaultActivationHours = 24;

export interface ActivationTokenRequest {
  kind: 'agent' | 'collector' | 'any';
  uses?: number;
  expiresHours?: number;
  label?: string;
  actor: string;
}

/** Issues an activation token; the full token (with the CA pin) is returned once. */
export async function createActivationToken(
  db: Queryable,
  caPin: string,
  request: ActivationTokenRequest,
) {
  const id = randomUUID();
  const secret = newActivationSecret();
  const uses = request.uses ?? defaultActivationUses;
  const expiresAt = new Date(
    Date.now() + (request.expiresHours ?? defaultActivationHours) * 3_600_000,
  );
  await db.query(
    `INSERT INTO activation_tokens (id, secret_hash, component_kind, uses_left, expires_at, label)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, hashSecret(secret), request.kind, uses, expiresAt, request.label ?? ''],
  );
  await recordChange(db, {
    actor: request.actor,
    action: 'activation_token.create',
    subject: id,
    detail: { kind: request.kind, uses, expiresAt },
  });
  return { id, token: formatActivationToken({ secret, caPin }), uses, expiresAt };
}

/**
 * Uses up one activation of the token with this secret, inside the caller's transaction.
 * Returns the token id, or null when it is unknown, used up, revoked, expired or for
 * another kind of component.
 */
export async function consumeActivationToken(
  tx: Queryable,
  secret: string,
  kind: 'agent' | 'collector',
): Promise<string | null> {
  const rows = await tx.query<{ id: string }>(
    `UPDATE activation_tokens SET uses_left = uses_left - 1
     WHERE secret_hash = $1 AND uses_left > 0 AND revoked_at IS NULL AND expires_at > now()
       AND component_kind IN ($2, 'any')
     RETURNING id`,
    [hashSecret(secret), kind],
  );
  return rows[0]?.id ?? null;
}

/** Every activation token, newest first, with what became of it. */
export async function listActivationTokens(db: Queryable): Promise<ActivationTokenView[]> {
  const rows = await db.query<{
    id: string;
    kind: ActivationTokenView['kind'];
    label: string;
    uses_left: number;
    activations: number;
    created_at: Date;
    expires_at: Date;
    revoked_at: Date | null;
    expired: boolean;
  }>(
    `SELECT t.id, t.component_kind AS kind, t.label, t.uses_left, t.created_at, t.expires_at,
       t.revoked_at, t.expires_at <= now() AS expired,
       (SELECT count(*)::integer FROM components c WHERE c.activation_token_id = t.id)
         AS activations
     FROM activation_tokens t ORDER BY t.created_at DESC, t.id`,
  );
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    label: row.label,
    usesLeft: row.uses_left,
    activations: row.activations,
    createdAt: new Date(row.created_at).toISOString(),
    expiresAt: new Date(row.expires_at).toISOString(),
    revokedAt: row.revoked_at ? new Date(row.revoked_at).toISOString() : null,
    state: row.revoked_at
      ? 'revoked'
      : row.expired
        ? 'expired'
        : row.uses_left === 0
          ? 'used_up'
          : 'usable',
  }));
}

/** Ends an activation token at once; false when there is no such token still open. */
export async function revokeActivationToken(
  db: Queryable,
  id: string,
  actor: string,
): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
  const rows = await db.query(
    `UPDATE activation_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL
     RETURNING id`,
    [id],
  );
  if (rows.length === 0) return false;
  await recordChange(db, { actor, action: 'activation_token.revoke', subject: id });
  return true;
}
