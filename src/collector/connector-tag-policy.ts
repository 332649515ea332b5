import {
  tagVerdicts,
  type FlaggedTag,
  type TagVerdict,
} from '../protocol/connector-id/tag-verdicts.js';
import type { ConnectorTagDecoder } from './network/attribution.js';
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

/** The tag checks in force, kept in step with the hub, as one decoder for the flow tracker. */
export interface TagVerification {
  /** Give this to the flow tracker: it asks whichever verifier is in force. */
  readonly decoder: ConnectorTagDecoder;
  /** The verifier in force now. */
  readonly verifier: TagVerifier;
  /** Packets per verdict since the start, across every verifier in force so far. */
  counts(): Record<TagVerdict, number>;
  /** Asks the hub now; returns the problem when it could not, keeping the policy it had. */
  refresh(): Promise<string | null>;
  stop(): void;
}

/**
 * The network role's tag decoder, kept in step with the hub: built from the first policy,
 * then refreshed on a timer (and whenever `refresh` is called). New revocations apply to the
 * verifier in force; a new site secret or a change of replay protection puts a new verifier
 * in force (its replay memory starts empty). A refresh that fails keeps the last policy
 * (logged by the caller through `onProblem`).
 */
export async function startTagVerification(
  link: HubLink,
  options: { onFlag?: (flag: FlaggedTag) => void; onProblem?: (problem: string) => void } = {},
): Promise<TagVerification | { problem: string }> {
  const first = await fetchTagPolicy(link);
  if ('problem' in first) return first;
  const make = (policy: TagPolicy) => new TagVerifier({ ...policy, onFlag: options.onFlag });
  const shape = (policy: TagPolicy) =>
    JSON.stringify([
      policy.replayProtection,
      [...policy.siteSecrets].map(([keyId, secret]) => [keyId, secret.toString('base64')]),
    ]);
  let verifier = make(first);
  let inForce = shape(first);
  const earlier = Object.fromEntries(tagVerdicts.map((verdict) => [verdict, 0])) as Record<
    TagVerdict,
    number
  >;
  const refresh = async (): Promise<string | null> => {
    const policy = await fetchTagPolicy(link);
    if ('problem' in policy) {
      options.onProblem?.(policy.problem);
      return policy.problem;
    }
    if (shape(policy) === inForce) {
      verifier.setRevokedMachines(policy.revokedMachines);
      return null;
    }
    for (const [verdict, count] of Object.entries(verifier.counts)) {
      earlier[verdict as TagVerdict] += count;
    }
    verifier = make(policy);
    inForce = shape(policy);
    return null;
  };
  const timer = setInterval(() => void refresh(), tagPolicyRefreshMillis);
  timer.unref();
  return {
    decoder: {
      fromTcpSyn: (view) => verifier.fromTcpSyn(view),
      fromUdpDatagram: (view) => verifier.fromUdpDatagram(view),
    },
    get verifier() {
      return verifier;
    },
    counts: () =>
      Object.fromEntries(
        tagVerdicts.map((verdict) => [verdict, earlier[verdict] + verifier.counts[verdict]]),
      ) as Record<TagVerdict, number>,
    refresh,
    stop: () => clearInterval(timer),
  };
}
