import { createHash, randomBytes } from 'node:crypto';

/**
 * An activation token as an administrator hands it out: `sat1.<secret>.<ca pin>`.
 * The secret proves the administrator allowed the activation; the pin (SHA-256 of the site
 * CA certificate) lets the component check it is talking to the right hub before it
 * trusts anything the hub sends.
 */
export interface ActivationToken {
  secret: string;
  caPin: string;
}

const prefix = 'sat1';
const secretBytes = 24;

export function newActivationSecret(): string {
  return randomBytes(secretBytes).toString('base64url');
}

export function formatActivationToken(token: ActivationToken): string {
  return `${prefix}.${token.secret}.${token.caPin}`;
}

/** Parses a token string; returns null when it is not one. */
export function parseActivationToken(text: string): ActivationToken | null {
  const parts = text.trim().split('.');
  if (parts.length !== 3 || parts[0] !== prefix) return null;
  const [, secret, caPin] = parts as [string, string, string];
  if (!/^[A-Za-z0-9_-]{32}$/.test(secret) || !/^[A-Za-z0-9_-]{43}$/.test(caPin)) return null;
  return { secret, caPin };
}

/** What the hub keeps of a secret: its SHA-256, so a stolen store reveals no token. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}
