/** How often an agent asks the hub for a newer release unless its policy says: 6 hours. */
export const defaultUpdateCheckSeconds = 21_600;
/** Shortest check interval a policy may set, in seconds (for tests and demos). */
export const minUpdateCheckSeconds = 10;

/** The part of an agent's policy that governs updates. */
export interface UpdatePolicy {
  /** Policy field `autoUpdate`; off unless it is exactly `true`. */
  autoUpdate: boolean;
  /** Policy field `updateCheckSeconds`, in milliseconds here. */
  checkIntervalMillis: number;
}

/**
 * Reads the update fields of a policy carried in the agent's certificate.
 * Not yet: that policy is fixed at activation, so turning updates on or off for agents
 * already activated waits for policies managed from the hub (a new certificate each).
 */
export function updatePolicyOf(policy: Record<string, unknown>): UpdatePolicy {
  const seconds = Number(policy.updateCheckSeconds ?? defaultUpdateCheckSeconds);
  const valid = Number.isFinite(seconds) && seconds >= minUpdateCheckSeconds;
  return {
    autoUpdate: policy.autoUpdate === true,
    checkIntervalMillis: (valid ? seconds : defaultUpdateCheckSeconds) * 1000,
  };
}
