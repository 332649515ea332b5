import type { FlaggedTag } from '../protocol/connector-id/tag-verdicts.js';
import { TagVerifier } from '../protocol/connector-id/tag-verifier.js';
import type { HubLink } from './hub-link.js';

/** How often a collector asks the hub again for revocations and new secrets: 5 minutes. */
export const tagPolicyRefreshMillis = 5 * 60_000;

/** What the hub tells a collector about Connector ID tags. */
export interface TagPolicy {
  siteSecrets: Map<number, Buffer>;
  revokedMachines: Set<number>;
  replayProtection: boolean;
}

interface KeysAnswer {
  secrets: { keyId: number; secret: string }[];
  revokedMachines: number[];
  replayProtection: boolean;
}

/** Asks the hub for the site secrets, revoked machines and replay policy. */
export async function fetchTagPolicy(link: HubLink): Promise<TagPolicy | { problem: string }> {
  const answer = await link.call<KeysAnswer>('/api/v1/collector/connector-id/keys', {});
  if (answer.kind !== 'answer') {
    return { problem: answer.kind === 'refused' ? answer.code : answer.message };
  }
  const body = answer.body;
  return {
    siteSecrets: new Map(body.secrets.map((s) => [s.keyId, Buffer.from(s.secret, 'base64')])),
    revokedMachines: new Set(body.revokedMachines),
    replayProtection: body.replayProtection,
  };
}

/**
 * The network role's tag decoder, kept in step with the hub: built from the first policy,
 * then refreshed on a timer. A refresh that fails keeps the last policy (logged by the
 * caller through `onProblem`); new revocations take effect at the next refresh that works.
 * Not yet: a new site secret or a change of replay protection needs a new verifier (restart).
 */
export async function startTagVerification(
  link: HubLink,
  options: { onFlag?: (flag: FlaggedTag) => void; onProblem?: (problem: string) => void } = {},
): Promise<{ verifier: TagVerifier; stop(): void } | { problem: string }> {
  const first = await fetchTagPolicy(link);
  if ('problem' in first) return first;
  const verifier = new TagVerifier({ ...first, onFlag: options.onFlag });
  const timer = setInterval(() => {
    void fetchTagPolicy(link).then((policy) => {
      if ('problem' in policy) options.onProblem?.(policy.problem);
      else verifier.setRevokedMachines(policy.revokedMachines);
    });
  }, tagPolicyRefreshMillis);
  timer.unref();
  return { verifier, stop: () => clearInterval(timer) };
}
