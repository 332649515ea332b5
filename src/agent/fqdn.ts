/**
 * The machine's fully-qualified DNS name. Node has no call for it, and every source can be
 * wrong or slow: the resolver may map the name back to `localhost`, and a dead DNS server
 * stalls a lookup for many seconds. Each source therefore gets a time limit, and a name is
 * accepted only if it extends the short host name.
 */
import { execFile } from 'node:child_process';
import { lookup, lookupService } from 'node:dns/promises';
import { promisify } from 'node:util';

import { withDeadline } from './deadline.js';

const execFileAsync = promisify(execFile);

/** Longest wait for any one source of the name; the short name is used after that. */
const lookupTimeoutMillis = 1_000;

/** The fully-qualified name of `hostname`, or `hostname` itself when no source knows one. */
export async function resolveFqdn(hostname: string): Promise<string> {
  if (hostname.includes('.')) return hostname;

  // Both sources run at once so that a dead DNS server costs one time limit, not two.
  const names = await Promise.all([
    withDeadline(fromResolver(hostname), lookupTimeoutMillis, null),
    withDeadline(fromHostnameCommand(), lookupTimeoutMillis, null),
  ]);
  const fqdn = names.find((name) => name !== null && extendsHostname(name, hostname));
  return fqdn ? fqdn.replace(/\.$/, '') : hostname;
}

/** The DNS domain part of `fqdn` (`corp.example` of `pc1.corp.example`), or ''. */
export function dnsDomainOf(fqdn: string, hostname: string): string {
  return extendsHostname(fqdn, hostname) ? fqdn.slice(hostname.length + 1) : '';
}

// The same route `hostname -f` takes: the name's addresses, then each address's canonical
// name, which /etc/hosts or DNS give in full.
async function fromResolver(hostname: string): Promise<string | null> {
  const addresses = await lookup(hostname, { all: true });
  for (const { address } of addresses) {
    const { hostname: name } = await lookupService(address, 0).catch(() => ({ hostname: '' }));
    if (extendsHostname(name, hostname)) return name;
  }
  return null;
}

async function fromHostnameCommand(): Promise<string | null> {
  const { stdout } = await execFileAsync('hostname', ['-f'], { timeout: lookupTimeoutMillis });
  return stdout.trim() || null;
}

function extendsHostname(name: string, hostname: string): boolean {
  const lower = name.toLowerCase().replace(/\.$/, '');
  return lower.startsWith(`${hostname.toLowerCase()}.`) && lower.length > hostname.length + 1;
}
