import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { callbackJsonSchema, type CallbackV1 } from './callback-schema.js';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const ajv = new Ajv({ allErrors: false, strict: true });
addFormats(ajv);
const validate = ajv.compile<CallbackV1>(callbackJsonSchema);

/** Checks a decrypted callback; returns it typed, or the first problem found. */
export function checkCallback(
  value: unknown,
): { ok: true; callback: CallbackV1 } | { ok: false; problem: string } {
  if (validate(value)) return { ok: true, callback: value };
  const error = validate.errors?.[0];
  return { ok: false, problem: `${error?.instancePath || '/'} ${error?.message ?? 'is invalid'}` };
}
