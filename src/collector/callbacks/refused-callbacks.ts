import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReceivedCallback } from '../../intake/store-callbacks.js';

const refusedFile = 'refused-by-store.jsonl';

/**
 * Keeps a callback the store refuses for good (a value it cannot hold), one JSON line each in
 * `dir`, so a person can see what was lost and why; nothing is dropped without a trace.
 */
export async function keepRefusedCallback(
  dir: string,
  item: ReceivedCallback,
  reason: string,
): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const line = JSON.stringify({ reason, at: new Date().toISOString(), ...item });
  await appendFile(join(dir, refusedFile), `${line}\n`, { mode: 0o600 });
}
