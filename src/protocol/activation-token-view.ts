/** An activation token as an administrator sees it, over the API: never its secret. */
export interface ActivationTokenView {
  id: string;
  kind: 'agent' | 'collector' | 'any';
  label: string;
  usesLeft: number;
  /** Components activated with it so far. */
  activations: number;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  /** What it can do now: activate, or why not. */
  state: 'usable' | 'used_up' | 'expired' | 'revoked';
}
