import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { verifyCertificate } from '../protocol/certificate-check.js';
import type { ChannelClient } from '../protocol/channel-client.js';
import { keyFingerprint } from '../protocol/key-pair.js';
import { writeFileDurably } from '../shared/atomic-file.js';
import type { ComponentIdentity } from './agent-identity.js';

export type PolicyRefresh =
  | { status: 'current' }
  | { status: 'renewed'; identity: ComponentIdentity }
  /** The hub did not answer, or answered with something this component cannot trust. */
  | { status: 'unchanged'; reason: string };

/**
 * Asks the hub whether the policy in this component's certificate is still the one to run.
 * A new certificate is trusted only when the site CA signed it, it names this component and
 * its kind, and it holds this component's own key; its policy is read from the certificate
 * itself. Then it is saved before it is used, so a restart keeps it.
 */
export async function refreshPolicy(
  hub: ChannelClient,
  identity: ComponentIdentity,
  publicKeyPem: string,
  dataDir: string,
): Promise<PolicyRefresh> {
  const held = { policyId: identity.policy.policyId, policyVersion: identity.policy.policyVersion };
  const answer = await hub.request('/api/v1/component/policy', held).catch((error: Error) => ({
    kind: 'failed' as const,
    message: error.message,
  }));
  if (answer.kind !== 'reply') return { status: 'unchanged', reason: answer.message };
  const body = answer.body as { status?: string; certificatePem?: unknown };
  if (body.status === 'current') return { status: 'current' };
  if (body.status !== 'renewed' || typeof body.certificatePem !== 'string')
    return { status: 'unchanged', reason: 'the hub answered without a certificate' };

  let verified;
  try {
    verified = await verifyCertificate(body.certificatePem, identity.caCertificatePem);
  } catch (error) {
    return { status: 'unchanged', reason: (error as Error).message };
  }
  const ours =
    verified.subjectId === identity.componentId &&
    keyFingerprint(verified.publicKeyPem) === keyFingerprint(publicKeyPem);
  if (!ours) return { status: 'unchanged', reason: 'the certificate is not for this component' };
  if (isDeepStrictEqual(verified.policy, identity.policy)) return { status: 'current' };

  const renewed = { ...identity, certificatePem: body.certificatePem, policy: verified.policy };
  await writeFileDurably(join(dataDir, 'identity.json'), JSON.stringify(renewed, null, 2));
  return { status: 'renewed', identity: renewed };
}
