import type { SenderDirectory, SenderRecord } from '../../protocol/channel-server.js';
import type { HubLink } from '../hub-link.js';
import { IntakeRefused } from './intake-refusals.js';
import type { StoreConnection } from './store-connection.js';

/**
 * How long a looked-up agent is trusted before it is looked up again: 30 s. The channel
 * re-checks a session's sender every 30 s too, so a revocation stops intake within 60 s.
 */
export const agentCacheMillis = 30_000;
/** While the source cannot be reached, a known agent is still accepted for up to: 24 hours. */
const staleAgentMillis = 24 * 3_600_000;

/** Where agents are looked up: the store itself, or the hub over the collector's channel. */
export type AgentSource = (id: string) => Promise<SenderRecord | null>;

/**
 * Agents the collector accepts callbacks from, cached briefly. When the source is away (the
 * store or the hub down) agents already known keep being accepted, so a pair keeps taking
 * callbacks through an outage; an agent never seen before is told to come back later.
 */
export class CachedAgentDirectory implements SenderDirectory {
  private readonly cache = new Map<string, { record: SenderRecord | null; atMillis: number }>();
  /** Look-ups answered from a stale entry because the source could not be reached. */
  staleAnswers = 0;

  constructor(
    private readonly source: AgentSource,
    private readonly nowMillis: () => number = Date.now,
  ) {}

  async findSender(id: string): Promise<SenderRecord | null> {
    const cached = this.cache.get(id);
    const now = this.nowMillis();
    if (cached && now - cached.atMillis < agentCacheMillis) return cached.record;
    try {
      const record = await this.source(id);
      this.cache.set(id, { record, atMillis: now });
      return record;
    } catch {
      if (cached?.record && now - cached.atMillis < staleAgentMillis) {
        this.staleAnswers++;
        return cached.record;
      }
      throw new IntakeRefused('directory_unavailable');
    }
  }
}

/** Agents read straight from a PostgreSQL store the collector shares with the hub. */
export function storeAgentSource(connection: StoreConnection): AgentSource {
  return async (id) => {
    const db = await connection.current();
    const rows = await db.query<{
      status: 'active' | 'revoked';
      public_key_pem: string;
      certificate_not_after: Date;
    }>(
      `SELECT status, public_key_pem, certificate_not_after FROM components
       WHERE id = $1 AND kind = 'agent'`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    const certificateNotAfter = new Date(row.certificate_not_after);
    return { id, status: row.status, publicKeyPem: row.public_key_pem, certificateNotAfter };
  };
}

/** Agents asked of the hub, for collectors that cannot open the store (the embedded one). */
export function hubAgentSource(hub: HubLink): AgentSource {
  return async (id) => {
    const answer = await hub.call<{
      agent: (Omit<SenderRecord, 'certificateNotAfter'> & { certificateNotAfter: string }) | null;
    }>('/api/v1/collector/agent', { agentId: id });
    if (answer.kind !== 'answer') throw new Error(`the hub did not answer: ${answer.kind}`);
    const agent = answer.body.agent;
    return agent ? { ...agent, certificateNotAfter: new Date(agent.certificateNotAfter) } : null;
  };
}
