/**
 * Fully-qualified account names, the key a user's number is bound to: `user@DOMAIN` for an
 * account from a directory (Active Directory through sssd or winbind, LDAP), `user@host` for
 * an account that exists only on this machine. Local accounts are the ones in /etc/passwd;
 * anything else the name service resolves comes from a directory.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Longest wait for one directory look-up, which may have to cross the network. */
const getentTimeoutMillis = 2_000;
const passwdPath = '/etc/passwd';

// systemd hands these ids to services on the fly; they resolve through the name service
// without being in /etc/passwd, yet belong to this machine.
const systemdDynamicUids = { first: 61_184, last: 65_519 };

/** Qualifies the account names of one sample; look-ups are remembered for its lifetime. */
export interface AccountNamer {
  byUid(uid: number): Promise<string>;
  byName(name: string): Promise<string>;
}

/** A namer for this machine; `dnsDomain` qualifies directory names that carry no domain. */
export async function createAccountNamer(
  hostname: string,
  dnsDomain: string,
): Promise<AccountNamer> {
  const local = await readLocalAccounts();
  const lookups = new Map<string, Promise<string | null>>();
  const directoryName = (key: string) => {
    let pending = lookups.get(key);
    if (!pending) lookups.set(key, (pending = getentName(key)));
    return pending;
  };
  const asLocal = (name: string) => `${name}@${hostname}`;
  const asDirectory = (name: string) => qualifyDirectoryName(name, dnsDomain) ?? asLocal(name);

  return {
    async byUid(uid) {
      const name = local.byUid.get(uid);
      if (name !== undefined) return asLocal(name);
      const isDynamic = uid >= systemdDynamicUids.first && uid <= systemdDynamicUids.last;
      const found = await directoryName(String(uid));
      if (!found) return asLocal(String(uid));
      return isDynamic ? asLocal(found) : asDirectory(found);
    },
    async byName(name) {
      if (local.names.has(name)) return asLocal(name);
      if (name.includes('@') || name.includes('\\')) return asDirectory(name);
      const found = await directoryName(name);
      return found ? asDirectory(found) : asLocal(name);
    },
  };
}

// Directories spell the same account `CORP\jdoe`, `jdoe@corp.example` or plain `jdoe`.
// Not yet: a NetBIOS domain (`CORP`) is not mapped to its DNS name, so winbind and sssd
// machines in one forest can name one person two ways until the hub merges them.
function qualifyDirectoryName(name: string, dnsDomain: string): string | null {
  const backslash = name.indexOf('\\');
  if (backslash > 0) {
    return `${name.slice(backslash + 1)}@${name.slice(0, backslash).toUpperCase()}`;
  }

  const at = name.lastIndexOf('@');
  if (at > 0) return `${name.slice(0, at)}@${name.slice(at + 1).toUpperCase()}`;
  return dnsDomain ? `${name}@${dnsDomain.toUpperCase()}` : null;
}

async function readLocalAccounts() {
  const byUid = new Map<number, string>();
  const names = new Set<string>();
  // No /etc/passwd (Windows) simply means no known local accounts.
  const text = await readFile(passwdPath, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    if (!name || uid === undefined || !/^\d+$/.test(uid)) continue;
    names.add(name);
    if (!byUid.has(Number(uid))) byUid.set(Number(uid), name);
  }
  return { byUid, names };
}

async function getentName(key: string): Promise<string | null> {
  try {
    const options = { timeout: getentTimeoutMillis };
    const { stdout } = await execFileAsync('getent', ['passwd', key], options);
    return stdout.split(':')[0]?.trim() || null;
  } catch {
    // Not found, no getent on this platform, or a directory that did not answer in time.
    return null;
  }
}
