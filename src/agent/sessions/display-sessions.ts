/**
 * Remote display sessions on this machine: RDP, Citrix ICA and CGP, PCoIP and VMware Blast
 * connections that clients opened to it, with the figures the kernel keeps for each socket
 * (round-trip time, bytes each way, retransmissions, delivery rate). Read with `ss` from
 * iproute2, which asks the kernel over sock_diag netlink; Node has no call for that.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import type { DisplaySession, DisplayProtocol } from '../../protocol/callback-display.js';

const run = promisify(execFile);

/** The server ports of each display protocol, as their servers listen by default. */
export const displayPorts: Record<number, DisplayProtocol> = {
  3389: 'rdp',
  1494: 'ica',
  2598: 'cgp',
  4172: 'pcoip',
  22443: 'blast',
};

/** Longest wait for ss; it answers in milliseconds unless the machine is in trouble. */
const ssTimeoutMillis = 3_000;

/**
 * The display sessions clients hold open to this machine now. Empty where `ss` is missing
 * (not Linux, or no iproute2).
 * Not yet: UDP transports (RDP over UDP, PCoIP's UDP data): their server sockets are not
 * connected, so the kernel names no client for them; and servers moved off the default ports.
 */
export async function readDisplaySessions(): Promise<DisplaySession[]> {
  if (process.platform !== 'linux') return [];
  const filter = Object.keys(displayPorts)
    .map((port) => `sport = :${port}`)
    .join(' or ');
  const output = await run('ss', ['-H', '-t', '-i', '-n', '-p', 'state', 'established', filter], {
    timeout: ssTimeoutMillis,
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    (result) => result.stdout,
    () => '',
  );
  return parseSsSessions(output);
}

/** Parses `ss -H -t -i -n -p state established` output into display sessions. */
export function parseSsSessions(output: string): DisplaySession[] {
  const sessions: DisplaySession[] = [];
  let current: DisplaySession | null = null;
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    if (/^\s/.test(line)) {
      if (current) addSocketFigures(current, line);
      continue;
    }
    current = socketLine(line);
    if (current) sessions.push(current);
  }
  return sessions;
}

function socketLine(line: string): DisplaySession | null {
  // Recv-Q Send-Q Local:Port Peer:Port [users:(("name",pid=N,fd=N),...)]
  const fields = line.trim().split(/\s+/);
  const local = endpoint(fields[2]);
  const peer = endpoint(fields[3]);
  if (!local || !peer) return null;
  const protocol = displayPorts[local.port];
  if (!protocol) return null;
  const owner = /users:\(\("((?:[^"\\]|\\.)*)",pid=(\d+)/.exec(line);
  return {
    protocol,
    transport: 'tcp',
    serverPort: local.port,
    clientAddress: peer.address,
    clientPort: peer.port,
    process: owner?.[1] ?? '',
    pid: owner ? Number(owner[2]) : null,
    rttMillis: null,
    rttVariationMillis: null,
    minRttMillis: null,
    bytesSent: null,
    bytesReceived: null,
    retransmittedSegments: null,
    deliveryRateBitsPerSecond: null,
  };
}

/** `10.0.0.5:3389`, `[fe80::1%eth0]:3389` or `[::ffff:10.0.0.5]:3389`. */
function endpoint(text: string | undefined): { address: string; port: number } | null {
  const match = text ? /^\[?(.*?)\]?:(\d+)$/.exec(text) : null;
  if (!match) return null;
  const address = match[1]!.replace(/%.*$/, '').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
  return { address, port: Number(match[2]) };
}

function addSocketFigures(session: DisplaySession, line: string): void {
  const rtt = /\brtt:([\d.]+)\/([\d.]+)/.exec(line);
  if (rtt) {
    session.rttMillis = Number(rtt[1]);
    session.rttVariationMillis = Number(rtt[2]);
  }
  session.minRttMillis = number(/\bminrtt:([\d.]+)/.exec(line));
  // bytes_acked is what the client confirmed; bytes_sent also counts what is still in flight.
  session.bytesSent = number(/\bbytes_acked:(\d+)/.exec(line));
  session.bytesReceived = number(/\bbytes_received:(\d+)/.exec(line)) ?? 0;
  if (session.bytesSent === null) session.bytesSent = 0;
  // retrans:now/total; the total counts every retransmitted segment of the connection.
  session.retransmittedSegments = number(/\bretrans:\d+\/(\d+)/.exec(line)) ?? 0;
  session.deliveryRateBitsPerSecond = number(/\bdelivery_rate (\d+)bps/.exec(line));
}

function number(match: RegExpExecArray | null): number | null {
  return match ? Number(match[1]) : null;
}
