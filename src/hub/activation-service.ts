import { randomUUID } from 'node:crypto';
import {
  sealActivationResponse,
  verifyActivationProof,
  type ActivationRequest,
  type ActivationResponse,
} from '../protocol/activation.js';
import { MessageRejected } from '../protocol/rejection.js';
import { advisoryLocks } from '../store/advisory-locks.js';
import type { Queryable } from '../store/store.js';
import { recordChange } from './change-log.js';
import { consumeActivationToken } from './activation-tokens.js';
import type { HubContext } from './hub-context.js';
import {
  certificatePolicy,
  resolvePolicy,
  type CertificatePolicy,
} from './policies/policy-assignment.js';

/**
 * Activates an agent or collector: checks its token and its proof of key possession, issues
 * its certificate with its policy inside, and answers with the bundle sealed to its key.
 */
export async function activateComponent(
  hub: HubContext,
  body: unknown,
): Promise<ActivationResponse & { componentId: string }> {
  const request = parseRequest(body);
  if (!verifyActivationProof(request)) throw new MessageRejected('bad_activation_proof');

  const componentId = randomUUID();
  let policy: CertificatePolicy | undefined;
  const certificate = await hub.store.transaction(async (tx) => {
    // The token is checked before any signing work, so bad tokens cost the hub little.
    const tokenId = await consumeActivationToken(tx, request.tokenSecret, request.kind);
    if (!tokenId) throw new MessageRejected('bad_activation_token');
    if (request.kind === 'collector') await checkCollectorLimit(tx, hub.maxCollectors);
    // Only the name is known yet: groups by name pattern apply now, the rest at the first
    // policy check after the machine has reported.
    const facts = {
      id: componentId,
      kind: request.kind,
      name: request.name,
      os: '',
      addresses: [],
    };
    const chosen = await resolvePolicy(tx, facts);
    policy = certificatePolicy(chosen);
    const certificate = await hub.identity.ca.issue({
      subjectId: componentId,
      kind: request.kind,
      publicKeyPem: request.publicKeyPem,
      policy,
      now: new Date(hub.nowMillis()),
    });
    await tx.query(
      `INSERT INTO components (id, kind, name, public_key_pem, certificate_pem,
         certificate_serial, certificate_not_after, activation_token_id, policy_id, policy_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        componentId,
        request.kind,
        request.name,
        request.publicKeyPem,
        certificate.pem,
        certificate.serial,
        certificate.notAfter,
        tokenId,
        chosen.id,
        chosen.version,
      ],
    );
    await recordChange(tx, {
      actor: 'system',
      action: 'component.activate',
      subject: componentId,
      detail: { kind: request.kind, name: request.name, activationTokenId: tokenId },
    });
    return certificate;
  });

  const { identity } = hub;
  const response = sealActivationResponse(
    {
      componentId,
      certificatePem: certificate.pem,
      hubId: identity.hubId,
      hubCertificatePem: identity.hubCertificatePem,
      policy: policy!,
    },
    request.publicKeyPem,
    { certificatePem: identity.ca.certificatePem, privateKeyPem: identity.caKeys.privateKeyPem },
  );
  return { ...response, componentId };
}

async function checkCollectorLimit(tx: Queryable, maxCollectors: number): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [advisoryLocks.collectorLimit]);
  const [row] = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM components WHERE kind = 'collector' AND status = 'active'`,
  );
  if (row!.n >= maxCollectors) throw new MessageRejected('collector_limit');
}

function parseRequest(body: unknown): ActivationRequest {
  const request = body as Partial<ActivationRequest> | null;
  const strings = ['tokenSecret', 'name', 'publicKeyPem', 'requestedAt', 'proof'] as const;
  if (typeof request !== 'object' || request === null) throw new MessageRejected('malformed');
  for (const field of strings) {
    const value = request[field];
    if (typeof value !== 'string' || value.length === 0 || value.length > 8_192) {
      throw new MessageRejected('malformed', `field ${field} is missing or too long`);
    }
  }
  if (request.kind !== 'agent' && request.kind !== 'collector') {
    throw new MessageRejected('malformed', 'kind must be agent or collector');
  }
  if ((request.name as string).length > 255)
    throw new MessageRejected('malformed', 'name too long');
  return request as ActivationRequest;
}
