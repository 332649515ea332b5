import type { MachineFingerprint } from '../../protocol/connector-id/machine-fingerprint.js';
import { advisoryLocks } from '../../store/advisory-locks.js';
import type { Store, Transaction } from '../../store/store.js';
import {
  anchorElements,
  fingerprintPairs,
  matchScore,
  matchThreshold,
} from './fingerprint-match.js';
import { insertWithRandomNumber } from './random-number.js';

interface Candidate {
  number: number;
  fingerprint: MachineFingerprint;
  agent_id: string | null;
  agent_status: 'active' | 'revoked' | null;
}

/** What a claim gave: the machine number and whether it was issued just now. */
export interface MachineClaim {
  number: number;
  issued: boolean;
  score?: number;
}

/**
 * The machine number for an agent's fingerprint: the best-scoring numbered machine at or
 * above the match threshold, or a new random number. A number held by another agent that is
 * still active goes over only when both report the same name, so two live machines never share
 * a number. The number keeps the newest fingerprint, so gradual change is followed.
 */
export async function claimMachineNumber(
  store: Store,
  agentId: string,
  fingerprint: MachineFingerprint,
): Promise<MachineClaim> {
  return store.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [advisoryLocks.machineNumberClaims]);
    const best = await bestCandidate(tx, agentId, fingerprint);
    if (best) {
      await tx.query(
        `UPDATE connector_machine_numbers
         SET fingerprint = $2, agent_id = $3, last_seen_at = now() WHERE number = $1`,
        [best.number, JSON.stringify(fingerprint), agentId],
      );
      await saveElements(tx, best.number, fingerprint);
      return { number: best.number, issued: false, score: best.score };
    }
    const number = await insertWithRandomNumber(tx, 'connector_machine_numbers', async (n) => {
      const rows = await tx.query(
        `INSERT INTO connector_machine_numbers (number, fingerprint, agent_id)
         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING number`,
        [n, JSON.stringify(fingerprint), agentId],
      );
      return rows.length === 1;
    });
    await saveElements(tx, number, fingerprint);
    return { number, issued: true };
  });
}

async function bestCandidate(tx: Transaction, agentId: string, fingerprint: MachineFingerprint) {
  const anchors = fingerprintPairs(fingerprint).filter(([e]) => anchorElements.includes(e));
  const candidates = await tx.query<Candidate>(
    `SELECT m.number, m.fingerprint, m.agent_id, c.status AS agent_status
     FROM connector_machine_numbers m LEFT JOIN components c ON c.id = m.agent_id
     WHERE m.number IN (SELECT machine_number FROM connector_fingerprint_elements
                        WHERE hash = ANY($1::text[]))`,
    [anchors.map(([, hash]) => hash)],
  );
  let best: { number: number; score: number } | undefined;
  for (const candidate of candidates) {
    const heldByAnotherLiveAgent =
      candidate.agent_id !== null &&
      candidate.agent_id !== agentId &&
      candidate.agent_status === 'active';
    if (heldByAnotherLiveAgent && candidate.fingerprint.fqdn !== fingerprint.fqdn) continue;
    const score = matchScore(candidate.fingerprint, fingerprint);
    if (score >= matchThreshold && (!best || score > best.score))
      best = { number: candidate.number, score };
  }
  return best;
}

async function saveElements(tx: Transaction, number: number, fingerprint: MachineFingerprint) {
  await tx.query('DELETE FROM connector_fingerprint_elements WHERE machine_number = $1', [number]);
  const pairs = fingerprintPairs(fingerprint);
  await tx.query(
    `INSERT INTO connector_fingerprint_elements (machine_number, element, hash)
     SELECT $1, element, hash FROM unnest($2::text[], $3::text[]) AS p (element, hash)
     ON CONFLICT DO NOTHING`,
    [number, pairs.map(([e]) => e), pairs.map(([, h]) => h)],
  );
}
