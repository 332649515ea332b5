/**
 * Which local accounts hold administrator rights: root, and members of the groups that
 * sudo and polkit grant them to by default on the common distributions (sudo on Debian and
 * Ubuntu, wheel on Fedora, RHEL and SUSE, admin on older Ubuntu), whether listed in
 * /etc/group or having one of them as their primary group in /etc/passwd.
 */
import { readFile } from 'node:fs/promises';

/** Groups whose members may act as root through sudo or polkit. */
export const administratorGroups = ['sudo', 'wheel', 'admin'];

/** Where the files are; tests point these at made-up ones. */
export interface AccountFiles {
  groupPath: string;
  passwdPath: string;
}

const linuxFiles: AccountFiles = { groupPath: '/etc/group', passwdPath: '/etc/passwd' };

/** Names of the local accounts with administrator rights. */
export async function readAdministrators(files: AccountFiles = linuxFiles): Promise<Set<string>> {
  // Not yet: rules in /etc/sudoers(.d) naming users or other groups, and directory groups
  // resolved through sssd or winbind, are not read; such administrators count as standard.
  const [groups, passwd] = await Promise.all([
    readFile(files.groupPath, 'utf8').catch(() => ''),
    readFile(files.passwdPath, 'utf8').catch(() => ''),
  ]);
  const admins = new Set(['root']);
  const adminGids = new Set<string>();
  for (const line of groups.split('\n')) {
    const [name = '', , gid = '', members = ''] = line.split(':');
    if (!administratorGroups.includes(name)) continue;
    adminGids.add(gid);
    for (const member of members.split(',')) if (member.trim()) admins.add(member.trim());
  }
  for (const line of passwd.split('\n')) {
    const [name = '', , uid = '', gid = ''] = line.split(':');
    if (name && (uid === '0' || adminGids.has(gid))) admins.add(name);
  }
  return admins;
}

/** The local name of `account` (`alice@host` or `alice@CORP` gives `alice`). */
export function localName(account: string): string {
  const at = account.lastIndexOf('@');
  return at < 0 ? account : account.slice(0, at);
}
