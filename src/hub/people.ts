import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import argon2 from 'argon2';
import { advisoryLocks } from '../store/advisory-locks.js';
import type { Queryable, Store } from '../store/store.js';
import { recordChange } from './change-log.js';

export type Role = 'administrator' | 'operator' | 'viewer';
export const roles: readonly Role[] = ['administrator', 'operator', 'viewer'];

/** Shortest password a person may choose, in characters. */
export const minPasswordLength = 12;
/** Name of the first administrator a new hub creates. */
export const firstAdministratorName = 'admin';
/** File in the hub's data folder that holds the first password until it is changed. */
export const initialPasswordFile = 'initial-admin-password';

export interface Person {
  id: string;
  name: string;
  role: Role;
  mustChangePassword: boolean;
}

interface PersonRow {
  id: string;
  name: string;
  role: Role;
  must_change_password: boolean;
  password_hash: string;
}

// Hashing a throw-away password when the name is unknown keeps both paths equally slow,
// so timing does not tell which names exist.
const decoyHash = argon2.hash('decoy password for unknown names');

const toPerson = (row: PersonRow): Person => ({
  id: row.id,
  name: row.name,
  role: row.role,
  mustChangePassword: row.must_change_password,
});

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export function generatePassword(): string {
  return randomBytes(18).toString('base64url'); // 24 characters, 144 bits
}

/**
 * On a hub with nobody yet, creates the first administrator with a generated password, writes
 * the password to a file only the hub's user can read, and returns it so it can be shown once.
 */
export async function ensureFirstAdministrator(db: Queryable, dataDir: string) {
  const existing = await db.query('SELECT 1 FROM people LIMIT 1');
  if (existing.length > 0) return null;

  const password = generatePassword();
  const inserted = await db.query(
    `INSERT INTO people (id, name, role, password_hash, must_change_password)
     VALUES ($1, $2, 'administrator', $3, true) ON CONFLICT (name) DO NOTHING RETURNING id`,
    [randomUUID(), firstAdministratorName, await hashPassword(password)],
  );
  if (inserted.length === 0) return null; // another hub created it first
  const passwordFile = join(dataDir, initialPasswordFile);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  await chmod(passwordFile, 0o600);
  await recordChange(db, {
    actor: 'system',
    action: 'person.create',
    subject: firstAdministratorName,
  });
  return { name: firstAdministratorName, password, passwordFile };
}

/** Most characters in a person's name. */
export const maxPersonNameChars = 100;

/**
 * Adds a person with a role and a generated password they must change at first sign-in; the
 * password is returned to be handed over once. Null when the name is taken.
 */
export async function createPerson(
  db: Queryable,
  request: { name: string; role: Role; actor: string },
): Promise<{ id: string; name: string; role: Role; password: string } | null> {
  const password = generatePassword();
  const id = randomUUID();
  const inserted = await db.query(
    `INSERT INTO people (id, name, role, password_hash, must_change_password)
     VALUES ($1, $2, $3, $4, true) ON CONFLICT (name) DO NOTHING RETURNING id`,
    [id, request.name, request.role, await hashPassword(password)],
  );
  if (inserted.length === 0) return null;
  await recordChange(db, {
    actor: request.actor,
    action: 'person.create',
    subject: request.name,
    detail: { role: request.role },
  });
  return { id, name: request.name, role: request.role, password };
}

/** Why a change to who may sign in was refused: no such person, or the last administrator. */
export type PersonChangeRefusal = 'not_found' | 'last_administrator';

/**
 * Gives a person another role, at once (roles are read on every request). The last
 * administrator keeps the role: the site would have nobody left to administer it.
 */
export function changeRole(
  db: Store,
  request: { name: string; role: Role; actor: string },
): Promise<PersonChangeRefusal | null> {
  return changeAdministered(db, request.name, request.role === 'administrator', async (tx, was) => {
    if (was === request.role) return;
    await tx.query('UPDATE people SET role = $2 WHERE name = $1', [request.name, request.role]);
    await recordChange(tx, {
      actor: request.actor,
      action: 'person.role_change',
      subject: request.name,
      detail: { before: was, after: request.role },
    });
  });
}

/** Removes a person and ends their sessions at once; never the last administrator. */
export function removePerson(
  db: Store,
  request: { name: string; actor: string },
): Promise<PersonChangeRefusal | null> {
  return changeAdministered(db, request.name, false, async (tx, was) => {
    // Sessions go with the person (ON DELETE CASCADE).
    await tx.query('DELETE FROM people WHERE name = $1', [request.name]);
    await recordChange(tx, {
      actor: request.actor,
      action: 'person.remove',
      subject: request.name,
      detail: { role: was },
    });
  });
}

/**
 * Runs a change to one person, unless it would take the site's last administrator away
 * (`staysAdministrator` false for an administrator alone in the role). Changes take turns,
 * so two at once cannot leave none.
 */
async function changeAdministered(
  db: Store,
  name: string,
  staysAdministrator: boolean,
  change: (tx: Queryable, was: Role) => Promise<void>,
): Promise<PersonChangeRefusal | null> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [advisoryLocks.administrators]);
    const [person] = await tx.query<{ role: Role }>('SELECT role FROM people WHERE name = $1', [
      name,
    ]);
    if (!person) return 'not_found';
    const losesOne = person.role === 'administrator' && !staysAdministrator;
    if (losesOne && (await administratorCount(tx)) <= 1) return 'last_administrator';
    await change(tx, person.role);
    return null;
  });
}

async function administratorCount(db: Queryable): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    "SELECT count(*)::integer AS n FROM people WHERE role = 'administrator'",
  );
  return row!.n;
}

/** Everyone who may sign in, without any secret. */
export async function listPeople(db: Queryable) {
  const rows = await db.query<PersonRow & { created_at: Date }>(
    'SELECT * FROM people ORDER BY name',
  );
  return rows.map((row) => ({ ...toPerson(row), createdAt: new Date(row.created_at) }));
}

/** Returns the person when name and password match, otherwise null. */
export async function verifySignIn(db: Queryable, name: string, password: string) {
  const rows = await db.query<PersonRow>('SELECT * FROM people WHERE name = $1', [name]);
  const row = rows[0];
  const hash = row?.password_hash ?? (await decoyHash);
  const ok = await argon2.verify(hash, password).catch(() => false);
  return row && ok ? toPerson(row) : null;
}

export async function findPerson(db: Queryable, id: string): Promise<Person | null> {
  const rows = await db.query<PersonRow>('SELECT * FROM people WHERE id = $1', [id]);
  return rows[0] ? toPerson(rows[0]) : null;
}

export type PasswordChange =
  { status: 'changed' } | { status: 'bad_credentials' | 'weak_password' };

/** Changes a person's own password after checking the current one. */
export async function changePassword(
  db: Queryable,
  person: Person,
  currentPassword: string,
  newPassword: string,
  dataDir: string,
): Promise<PasswordChange> {
  if (!(await verifySignIn(db, person.name, currentPassword))) return { status: 'bad_credentials' };
  // Spaces alone, or the password being replaced, are no change at all.
  const weak = newPassword.trim().length < minPasswordLength || newPassword === currentPassword;
  if (weak) return { status: 'weak_password' };
  await setPassword(db, person.name, newPassword, false);
  await recordChange(db, {
    actor: `person:${person.name}`,
    action: 'person.password_change',
    subject: person.name,
  });
  // The first password is no longer valid; its file would only mislead.
  await rm(join(dataDir, initialPasswordFile), { force: true });
  return { status: 'changed' };
}

/** Sets a new generated password for `name` (console recovery); the person must change it. */
export async function resetPassword(db: Queryable, name: string): Promise<string | null> {
  const password = generatePassword();
  const changed = await setPassword(db, name, password, true);
  if (!changed) return null;
  await recordChange(db, { actor: 'console', action: 'person.password_reset', subject: name });
  return password;
}

async function setPassword(db: Queryable, name: string, password: string, mustChange: boolean) {
  const rows = await db.query(
    `UPDATE people SET password_hash = $2, must_change_password = $3, password_changed_at = now()
     WHERE name = $1 RETURNING id`,
    [name, await hashPassword(password), mustChange],
  );
  if (rows.length > 0)
    await db.query('DELETE FROM web_sessions WHERE person_id = $1', [
      (rows[0] as { id: string }).id,
    ]);
  return rows.length > 0;
}
