// Traffic helpers of the namespace test: a capture on the bridge, and hand-made SYN frames
// (a forged tag, a revoked machine's tag) to send with tcpreplay.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnalysisReport } from '../../src/collector/network/network-analysis.js';
import { deriveMachineKey } from '../../src/protocol/connector-id/machine-keys.js';
import { TagWriter } from '../../src/protocol/connector-id/tag-writer.js';
import { writePcap } from '../support/capture-writer.js';
import { tcpPacket } from '../support/connector-packets.js';
import {
  agentAddress,
  runCommand,
  serverAddress,
  spawnIn,
  until,
  type Lab,
} from './namespace-lab.js';

const echoPeer = join(import.meta.dirname, 'echo-peer.mjs');
type Ports = { tcp: number; udp: number };

/** The echo server on the server host; resolves once it listens. */
export async function startEchoServer(lab: Lab, ports: Ports) {
  const args = ['server', serverAddress, `${ports.tcp}`, `${ports.udp}`];
  const server = spawnIn(lab.server, [process.execPath, echoPeer, ...args]);
  await until(() => server.lines.length > 0, server.child);
  return server;
}

/** Two TCP connections and four datagrams from `user` on the agent host, echoed back. */
export async function runEchoClient(lab: Lab, ports: Ports, user: string): Promise<Exchange[]> {
  const args = ['client', serverAddress, `${ports.tcp}`, `${ports.udp}`, '2'];
  const client = spawnIn(lab.agent, [process.execPath, echoPeer, ...args], user);
  assert.equal(await client.exited, 0, client.errors());
  return client.lines.map((line) => JSON.parse(line) as Exchange);
}

/** The agent's tagging on the agent host (tagger-entry.ts); resolves once its queue is open. */
export async function startTagger(
  lab: Lab,
  dir: string,
  o: { machineNumber: number; machineKey: string; users: Record<string, number> },
) {
  const config = join(dir, 'tagger.json');
  await writeFile(config, JSON.stringify({ queueNumber: 7401, keyId: 0, ...o }));
  const entry = join(import.meta.dirname, 'tagger-entry.ts');
  const tagger = spawnIn(lab.agent, [process.execPath, '--import', 'tsx', entry, config]);
  await until(() => tagger.lines.includes('ready'), tagger.child);
  return tagger;
}

/** One exchange the echo client reports. */
export interface Exchange {
  transport: 'tcp' | 'udp';
  port: number;
  sent: string;
  echoed: string;
}

/** tcpdump on the bridge's port, writing every frame whole as it comes. */
export class Capture {
  private constructor(
    readonly path: string,
    private readonly run: ReturnType<typeof spawnIn>,
  ) {}

  static async start(lab: Lab, path: string): Promise<Capture> {
    // Immediate mode hands each frame over at once; otherwise frames still in the capture
    // buffer when tcpdump is stopped would be counted as received but never written.
    const command = ['tcpdump', '-i', lab.capturePort, '--immediate-mode', '-U', '-s', '0'];
    const run = spawnIn(lab.bridge, [...command, '-w', path]);
    await until(() => run.errors().includes('listening on'), run.child);
    return new Capture(path, run);
  }

  async stop(): Promise<void> {
    // A moment for the last frames (the final ACK) to cross the bridge.
    await new Promise((resolve) => setTimeout(resolve, 200));
    this.run.child.kill('SIGINT');
    await this.run.exited;
  }
}

const ipv4Word = (text: string) =>
  text.split('.').reduce((word, part) => (word << 8) | Number(part), 0) >>> 0;

/**
 * Two SYN frames from the agent host to the server: one tagged under a key the site never
 * issued (source port 40001) and one with a good tag of a revoked machine (40002).
 */
export function attackFrames(
  lab: Lab,
  o: { secret: Buffer; machineNumber: number; revokedMachine: number; port: number },
): Buffer {
  const forger = new TagWriter({
    machineNumber: o.machineNumber,
    keyId: 0,
    machineKey: deriveMachineKey(Buffer.alloc(32, 0xee), 0, o.machineNumber),
  });
  const revoked = new TagWriter({
    machineNumber: o.revokedMachine,
    keyId: 0,
    machineKey: deriveMachineKey(o.secret, 0, o.revokedMachine),
  });
  const ethernet = Buffer.concat([
    Buffer.from(lab.serverMac.replaceAll(':', ''), 'hex'),
    Buffer.from(lab.agentMac.replaceAll(':', ''), 'hex'),
    Buffer.from([0x08, 0x00]),
  ]);
  const now = Math.floor(Date.now() / 1000);
  const frames = [forger, revoked].map((writer, i) => {
    const spec = {
      ipVersion: 4 as const,
      source: [ipv4Word(agentAddress)],
      destination: [ipv4Word(serverAddress)],
      sourcePort: 40_001 + i,
      destinationPort: o.port,
    };
    const { packet, length } = tcpPacket(spec, 0x1000 + i);
    const result = writer.tagTcpSyn(packet, length, 0x00a001, now);
    if (result.status !== 'tagged') throw new Error(result.reason);
    return Buffer.concat([ethernet, packet.subarray(0, result.length)]);
  });
  const packets = frames.map((bytes) => ({
    bytes,
    wireLength: bytes.length,
    timeSeconds: now,
    timeNanos: 0,
    interfaceIndex: 0,
  }));
  return writePcap(packets, { linkType: 1, bigEndian: false, nanos: false });
}

/** Copies the first SYN the agent host sent in `capture` to a file of its own, for tcpreplay. */
export function firstSynOf(capture: string, path: string): string {
  const filter = `src host ${agentAddress} and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn`;
  runCommand('tcpdump', '-r', capture, '-w', path, '-c', '1', filter);
  return path;
}

/** The connection the collector reported for an exchange, by transport and client port. */
export function connectionOf(report: AnalysisReport, exchange: Exchange) {
  return report.connections.find(
    (c) => c.transport === exchange.transport && c.origPort === exchange.port,
  );
}
