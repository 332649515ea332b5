import { createHmac } from 'node:crypto';
import { aesDecrypt, aesEncrypt, newNonce } from './sealed-box.js';

/** How long a session key may be used before the sender must open a new one: 1 hour. */
export const sessionLifetimeMillis = 60 * 60_000;
/** How long a hub challenge stays usable: 60 seconds. */
export const challengeLifetimeMillis = 60_000;

export interface ChallengeRequest {
  componentId: string;
}

export interface ChallengeResponse {
  challenge: string; // base64, single use
  recipientId: string;
}

/** The body of a session opening, signed by the sender. */
export interface SessionOpen {
  componentId: string;
  recipientId: string;
  challenge: string;
  sessionId: string;
  wrappedKey: string; // base64: the AES-128 session key, RSA-OAEP to the recipient
  sentAt: string; // ISO 8601
}

export interface SessionOpenRequest {
  open: string; // base64 of the JSON of a SessionOpen; the signature covers these bytes
  signature: string; // base64 RSA-PSS by the sender's key
}

export interface SessionOpenResponse {
  sessionId: string;
  expiresAt: string;
  /** HMAC of the session id under the session key: proves the recipient could unwrap it. */
  proof: string;
}

/** One message inside a session. `seq` is unique per session and direction. */
export interface SealedMessage {
  session: string;
  seq: number;
  nonce: string; // base64
  data: string; // base64 ciphertext with the GCM tag
}

/** 'up' is sender to recipient (component to hub), 'down' is the reply. */
export type Direction = 'up' | 'down';

function aad(sessionId: string, seq: number, direction: Direction): Buffer {
  return Buffer.from(`strata-msg-v1|${sessionId}|${seq}|${direction}`);
}

export function sealMessage(
  key: Buffer,
  sessionId: string,
  seq: number,
  direction: Direction,
  plaintext: Buffer,
): SealedMessage {
  const nonce = newNonce();
  const data = aesEncrypt(key, nonce, plaintext, aad(sessionId, seq, direction));
  return {
    session: sessionId,
    seq,
    nonce: nonce.toString('base64'),
    data: data.toString('base64'),
  };
}

/** Throws when the message was altered, moved to another seq or direction, or is not ours. */
export function openMessage(key: Buffer, message: SealedMessage, direction: Direction): Buffer {
  const nonce = Buffer.from(message.nonce, 'base64');
  const data = Buffer.from(message.data, 'base64');
  return aesDecrypt(key, nonce, data, aad(message.session, message.seq, direction));
}

export function sessionProof(key: Buffer, sessionId: string): string {
  return createHmac('sha256', key).update(`strata-session-accept|${sessionId}`).digest('base64');
}

/** True when `value` has the shape of a SealedMessage; no field is trusted before this. */
export function isSealedMessage(value: unknown): value is SealedMessage {
  const v = value as Partial<SealedMessage> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.session === 'string' &&
    v.session.length <= 64 &&
    Number.isSafeInteger(v.seq) &&
    (v.seq as number) > 0 &&
    typeof v.nonce === 'string' &&
    typeof v.data === 'string'
  );
}
