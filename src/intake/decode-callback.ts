import type { CallbackV1 } from '../protocol/callback-schema.js';
import { checkCallback } from '../protocol/callback-validator.js';

// The JSON escape for NUL: valid JSON, but no PostgreSQL text or jsonb value can hold it.
const nulEscape = Buffer.from('\\u0000');

export type DecodedCallback = { ok: true; callback: CallbackV1 } | { ok: false; problem: string };

/** A decrypted callback body, parsed and checked; or the first reason it is not one. */
export function decodeCallback(plaintext: Buffer): DecodedCallback {
  let parsed: unknown;
  try {
    parsed = JSON.parse(plaintext.toString('utf8'));
  } catch {
    return { ok: false, problem: 'the decrypted body is not JSON' };
  }
  return checkParsedCallback(parsed, plaintext);
}

/** A callback already parsed (one of a batch), checked; `json` is its serialised form. */
export function checkParsedCallback(parsed: unknown, json: Buffer): DecodedCallback {
  // Refused here, before it is acknowledged, rather than by the store long after.
  if (json.includes(nulEscape)) return { ok: false, problem: 'text holds a NUL character' };
  return checkCallback(parsed);
}
