import { randomInt } from 'node:crypto';
import type { Queryable } from '../../store/store.js';

/** Largest user or machine number: 24 bits. 0 is never issued (it means "none" in a tag). */
export const maxConnectorNumber = 0xffffff;
/** Tries before giving up on a free number; only a site nearly full needs more than one. */
const maxTries = 64;

/**
 * Inserts a row under a random number that is free in `table`: random, so numbers say
 * nothing about the order or size of the site. `insert` runs an INSERT ... ON CONFLICT DO
 * NOTHING RETURNING for one number and says whether it took.
 */
export async function insertWithRandomNumber(
  db: Queryable,
  table: string,
  insert: (number: number) => Promise<boolean>,
): Promise<number> {
  for (let attempt = 0; attempt < maxTries; attempt++) {
    const number = randomInt(1, maxConnectorNumber + 1);
    if (await insert(number)) return number;
  }
  const rows = await db.query<{ used: number }>(`SELECT count(*)::integer AS used FROM ${table}`);
  throw new Error(
    `no free number found in ${table} after ${maxTries} tries (${rows[0]?.used} used)`,
  );
}
