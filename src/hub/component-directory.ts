import type { SenderDirectory, SenderRecord } from '../protocol/channel-server.js';
import type { Queryable } from '../store/store.js';
import { recordChange } from './change-log.js';

/** Looks up activated components in the store for the channel server. */
export function componentDirectory(db: Queryable): SenderDirectory {
  return {
    async findSender(id: string): Promise<SenderRecord | null> {
      const rows = await db.query<{
        id: string;
        status: 'active' | 'revoked';
        public_key_pem: string;
        certificate_not_after: Date;
      }>(
        `SELECT id, status, public_key_pem, certificate_not_after FROM components
         WHERE id = $1 AND kind <> 'hub'`,
        [id],
      );
      const row = rows[0];
      if (!row) return null;
      return {
        id: row.id,
        status: row.status,
        publicKeyPem: row.public_key_pem,
        certificateNotAfter: new Date(row.certificate_not_after),
      };
    },
  };
}

/** Revokes an agent or collector; returns false when there is no such component. */
export async function revokeComponent(db: Queryable, id: string, actor: string) {
  const rows = await db.query(
    `UPDATE components SET status = 'revoked', revoked_at = now()
     WHERE id = $1 AND kind <> 'hub' AND status = 'active' RETURNING id`,
    [id],
  );
  if (rows.length > 0) await recordChange(db, { actor, action: 'component.revoke', subject: id });
  return rows.length > 0;
}
