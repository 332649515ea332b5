// Three network namespaces for the Connector ID test, all made and removed by the test:
//   agent host (198.18.7.1) -- veth -- bridge host (a bridge; the collector captures on its
//   port towards the agent, like a mirror port) -- veth -- server host (198.18.7.2)
// The addresses are from the benchmarking range and exist only inside these namespaces.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const agentAddress = '198.18.7.1';
export const serverAddress = '198.18.7.2';

export interface Lab {
  agent: string;
  server: string;
  bridge: string;
  /** The agent host's interface, for tcpreplay. */
  agentLink: string;
  /**
   * The bridge's port towards the agent host, where the collector captures: a bridge's own
   * device sees only frames for the bridge itself, a port sees all that cross it.
   */
  capturePort: string;
  /** The server's MAC address, so that replayed frames are delivered there. */
  serverMac: string;
  agentMac: string;
}

const run = (command: string, ...args: string[]) =>
  execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const quiet = (command: string, ...args: string[]) => {
  try {
    run(command, ...args);
  } catch {
    // Cleaning up what may not exist.
  }
};

const tools = ['ip', 'iptables', 'tcpdump', 'tcpreplay', 'runuser', 'useradd'];
const toolDirs = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Why the lab cannot be built here, or false when it can. */
export function labSkipReason(addonPath: string): string | false {
  if (process.getuid?.() !== 0) return 'needs root';
  const missing = tools.filter((tool) => !toolDirs.some((dir) => existsSync(join(dir, tool))));
  if (missing.length > 0) return `needs ${missing.join(', ')}`;
  if (!existsSync(addonPath)) return 'needs the netfilter queue addon (npm run build:nfqueue)';
  return false;
}

/** Names unique to this run, short enough for interface names (15 characters). */
export function labNames(tag: string): Lab {
  return {
    agent: `sc-${tag}-agent`,
    server: `sc-${tag}-server`,
    bridge: `sc-${tag}-bridge`,
    agentLink: `sc${tag}a`,
    capturePort: `sc${tag}ap`,
    serverMac: '',
    agentMac: '',
  };
}

export function buildLab(tag: string): Lab {
  const lab = labNames(tag);
  const { agent, server, bridge } = lab;
  for (const ns of [agent, server, bridge]) {
    run('ip', 'netns', 'add', ns);
    run('ip', '-n', ns, 'link', 'set', 'lo', 'up');
  }
  run('ip', '-n', bridge, 'link', 'add', 'name', 'br0', 'type', 'bridge');
  for (const [ns, side, address] of [
    [agent, 'a', agentAddress],
    [server, 's', serverAddress],
  ] as const) {
    const inner = `sc${tag}${side}`;
    const outer = `sc${tag}${side}p`;
    run(
      'ip',
      'link',
      'add',
      inner,
      'netns',
      ns,
      'type',
      'veth',
      'peer',
      'name',
      outer,
      'netns',
      bridge,
    );
    run('ip', '-n', ns, 'addr', 'add', `${address}/24`, 'dev', inner);
    run('ip', '-n', ns, 'link', 'set', inner, 'up');
    run('ip', '-n', bridge, 'link', 'set', outer, 'master', 'br0', 'up');
  }
  run('ip', '-n', bridge, 'link', 'set', 'br0', 'up');
  const mac = (ns: string, link: string) =>
    run('ip', '-n', ns, '-o', 'link', 'show', link).match(/link\/ether ([0-9a-f:]+)/)![1]!;
  return { ...lab, agentMac: mac(agent, `sc${tag}a`), serverMac: mac(server, `sc${tag}s`) };
}

/** Removes the namespaces (and with them every veth and rule in them). */
export function removeLab(lab: Pick<Lab, 'agent' | 'server' | 'bridge'>): void {
  for (const ns of [lab.agent, lab.server, lab.bridge]) quiet('ip', 'netns', 'del', ns);
}

/** Makes a throw-away local user; returns its uid. */
export function addUser(name: string): number {
  quiet('userdel', name);
  run('useradd', '--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name);
  return Number(run('id', '-u', name).trim());
}

export function removeUser(name: string): void {
  quiet('userdel', name);
}

/** Runs a command in a namespace, as `user` when given; output is collected as lines. */
export function spawnIn(ns: string, command: string[], user?: string) {
  const asUser = user ? ['runuser', '-u', user, '--'] : [];
  const child = spawn('ip', ['netns', 'exec', ns, ...asUser, ...command], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let errors = '';
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop()!;
    lines.push(...parts.filter((line) => line.length > 0));
  });
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited, errors: () => errors };
}

/** Waits, without a deadline of its own, until `ready` holds (the test's timeout bounds it). */
export async function until(ready: () => boolean, child?: ChildProcess): Promise<void> {
  while (!ready()) {
    if (child && child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export { run as runCommand };
