import type { Queryable } from '../../store/store.js';
import { insertWithRandomNumber } from './random-number.js';

/** Longest fully-qualified account name accepted: user@DOMAIN fits easily. */
export const maxAccountChars = 320;
/** Most accounts one request may ask numbers for. */
export const maxAccountsPerRequest = 1_000;

/**
 * The user numbers of `accounts` (user@DOMAIN or user@host), issuing a random free number to
 * each account that has none. A number stays with its account for good, including after the
 * account stops appearing, until an administrator reclaims it.
 */
export async function userNumbersFor(
  db: Queryable,
  accounts: readonly string[],
): Promise<Map<string, number>> {
  const wanted = [...new Set(accounts)];
  const numbers = new Map<string, number>();
  const found = await db.query<{ account: string; number: number }>(
    `UPDATE connector_user_numbers SET last_seen_at = now()
     WHERE account = ANY($1::text[]) RETURNING account, number`,
    [wanted],
  );
  for (const row of found) numbers.set(row.account, row.number);

  for (const account of wanted) {
    if (numbers.has(account)) continue;
    await insertWithRandomNumber(db, 'connector_user_numbers', async (number) => {
      const rows = await db.query<{ number: number }>(
        `INSERT INTO connector_user_numbers (number, account) VALUES ($1, $2)
         ON CONFLICT DO NOTHING RETURNING number`,
        [number, account],
      );
      if (rows[0]) return true;
      // The number was taken, or another request numbered this account meanwhile.
      const other = await db.query<{ number: number }>(
        'SELECT number FROM connector_user_numbers WHERE account = $1',
        [account],
      );
      if (other[0]) numbers.set(account, other[0].number);
      return other[0] !== undefined;
    }).then((number) => {
      if (!numbers.has(account)) numbers.set(account, number);
    });
  }
  return numbers;
}
