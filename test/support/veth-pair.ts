// A veth pair for live-capture tests and the live benchmark: one end (`captureSide`) in this
// process's network namespace, where the collector captures; the other (`sendSide`) in a
// private namespace, where tcpreplay sends. Both ends have no addresses and IPv6 off, so the
// kernel sends nothing of its own on them: what is captured is what was replayed. Needs root.
import { spawnSync } from 'node:child_process';

export interface VethPair {
  namespace: string;
  captureSide: string;
  sendSide: string;
  /** Runs a command in the sending namespace; returns its exit status, stdout and stderr. */
  inNamespace(command: string[]): { status: number | null; stdout: string; stderr: string };
  /** Removes the namespace and both ends; safe to call more than once. */
  remove(): void;
}

// Big enough for the loopback captures' largest frames (offloaded segments).
const mtuBytes = 65_535;

function run(command: string[], check = true) {
  const result = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8' });
  if (check && result.status !== 0) {
    throw new Error(`${command.join(' ')} failed: ${result.stderr || result.error?.message}`);
  }
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** Why live capture cannot be tried on this machine, or null when it can. */
export function vethUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, raw sockets)';
  for (const tool of ['ip', 'tcpreplay', 'sysctl']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `needs ${tool}`;
  }
  return null;
}

/** Makes a namespace and a veth pair named after `tag` (a few letters, unique per run). */
export function createVethPair(tag: string): VethPair {
  const namespace = `strata-${tag}`;
  const captureSide = `${tag}c`.slice(0, 15);
  const sendSide = `${tag}s`.slice(0, 15);
  const inNamespace = (command: string[]) =>
    run(['ip', 'netns', 'exec', namespace, ...command], false);
  const pair: VethPair = {
    namespace,
    captureSide,
    sendSide,
    inNamespace,
    remove() {
      run(['ip', 'netns', 'del', namespace], false);
      run(['ip', 'link', 'del', captureSide], false);
    },
  };
  try {
    run(['ip', 'netns', 'add', namespace]);
    run(['ip', 'link', 'add', captureSide, 'type', 'veth', 'peer', 'name', sendSide]);
    run(['ip', 'link', 'set', sendSide, 'netns', namespace]);
    run(['sysctl', '-q', '-w', `net.ipv6.conf.${captureSide}.disable_ipv6=1`]);
    run([
      'ip',
      'netns',
      'exec',
      namespace,
      'sysctl',
      '-q',
      '-w',
      `net.ipv6.conf.${sendSide}.disable_ipv6=1`,
    ]);
    run(['ip', 'link', 'set', captureSide, 'mtu', String(mtuBytes), 'up']);
    run([
      'ip',
      'netns',
      'exec',
      namespace,
      'ip',
      'link',
      'set',
      sendSide,
      'mtu',
      String(mtuBytes),
      'up',
    ]);
  } catch (error) {
    pair.remove();
    throw error;
  }
  return pair;
}
