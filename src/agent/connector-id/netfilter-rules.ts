/**
 * The iptables rules that send this machine's outgoing SYNs and the first datagrams of each
 * UDP flow to the agent's netfilter queue. `--queue-bypass` makes every rule pass packets
 * untouched while no program holds the queue, so a stopped or killed agent leaves traffic
 * flowing, untagged (fail open), even though the rules stay in place.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Chain of ours in the mangle table; OUTPUT jumps to it. */
export const tagChain = 'STRATA_CONNECTOR_ID';
/** Default queue number: any free 16-bit number; a setting for machines that use it. */
export const defaultQueueNumber = 7401;
/** How many packets of a UDP flow (as conntrack counts them) get a trailer: the first 3. */
export const taggedDatagramsPerFlow = 3;

const tools = ['iptables', 'ip6tables'] as const;

/** The rules of our chain, as iptables arguments. */
export function tagRules(queueNumber: number): string[][] {
  const queue = ['-j', 'NFQUEUE', '--queue-num', String(queueNumber), '--queue-bypass'];
  return [
    // Loopback traffic never meets a collector.
    ['-o', 'lo', '-j', 'RETURN'],
    ['-p', 'tcp', '--syn', ...queue],
    [
      '-p',
      'udp',
      '-m',
      'connbytes',
      '--connbytes',
      `1:${taggedDatagramsPerFlow}`,
      '--connbytes-dir',
      'original',
      '--connbytes-mode',
      'packets',
      ...queue,
    ],
  ];
}

/** Creates or refills our chain and puts the jump to it at the top of OUTPUT. */
export async function installTagRules(queueNumber = defaultQueueNumber): Promise<void> {
  for (const tool of tools) {
    const table = (...args: string[]) => run(tool, ['-w', '-t', 'mangle', ...args]);
    await table('-N', tagChain).catch(() => undefined); // it exists from an earlier run
    await table('-F', tagChain);
    for (const rule of tagRules(queueNumber)) await table('-A', tagChain, ...rule);
    const jumps = await table('-C', 'OUTPUT', '-j', tagChain).then(
      () => true,
      () => false,
    );
    if (!jumps) await table('-I', 'OUTPUT', '1', '-j', tagChain);
  }
}

/** Takes our rules out again; tolerant of rules already gone. */
export async function removeTagRules(): Promise<void> {
  for (const tool of tools) {
    const table = (...args: string[]) =>
      run(tool, ['-w', '-t', 'mangle', ...args]).catch(() => undefined);
    await table('-D', 'OUTPUT', '-j', tagChain);
    await table('-F', tagChain);
    await table('-X', tagChain);
  }
}
