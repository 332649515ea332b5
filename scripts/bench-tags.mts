// Connector ID tag verification speed, as the network collector runs it: one TagVerifier,
// one core, pre-built packets from many machines, times from the process's own CPU clock so
// that other work on the machine does not lower the figure. `npm run bench:tags`.
import { createCipheriv, createHmac } from 'node:crypto';
import { deriveMachineKey } from '../src/protocol/connector-id/machine-keys.js';
import type { TagPacketView } from '../src/protocol/connector-id/tag-reader.js';
import { TagVerifier } from '../src/protocol/connector-id/tag-verifier.js';
import { TagWriter } from '../src/protocol/connector-id/tag-writer.js';
import { collectorView, tcpPacket, udpPacket } from '../test/support/connector-packets.js';

const targetPerSecond = 2_000_000;
const packetCount = 4_096; // distinct tagged packets, from 256 machines
const roundMillis = 1_000; // CPU time per measured round
const rounds = 5;
const secret = Buffer.alloc(32, 0x42);
const nowSeconds = Math.floor(Date.now() / 1000);

function views(kind: 'tcp4' | 'tcp6' | 'udp4'): TagPacketView[] {
  const writers = Array.from({ length: 256 }, (_, m) => {
    const machineKey = deriveMachineKey(secret, 0, m + 1);
    return new TagWriter({ machineNumber: m + 1, keyId: 0, machineKey });
  });
  return Array.from({ length: packetCount }, (_, i) => {
    const v6 = kind === 'tcp6';
    const spec = {
      ipVersion: v6 ? (6 as const) : (4 as const),
      source: v6 ? [0xfd000000, 0, 1, i] : [0xc6120000 + (i % 256), 0, 0, 0],
      destination: v6 ? [0xfd000000, 0, 2, 1] : [0xc6130001, 0, 0, 0],
      sourcePort: 32_768 + i,
      destinationPort: 443,
    };
    const writer = writers[i % 256]!;
    const built = kind === 'udp4' ? udpPacket(spec, Buffer.alloc(64)) : tcpPacket(spec, i * 7919);
    const result =
      kind === 'udp4'
        ? writer.tagUdpDatagram(built.packet, built.length, i % 1000, nowSeconds)
        : writer.tagTcpSyn(built.packet, built.length, i % 1000, nowSeconds);
    if (result.status !== 'tagged') throw new Error(result.reason);
    return collectorView(built.packet, result.length, nowSeconds);
  });
}

function withoutAddresses(view: TagPacketView): TagPacketView {
  const { ipVersion: _version, addressWords: _words, ...rest } = view;
  return rest;
}

/** Verifies the packets round and round until `roundMillis` of CPU time passed: calls/s. */
function verifyRate(verifier: TagVerifier, list: TagPacketView[], tcp: boolean): number {
  const mask = list.length - 1;
  let calls = 0;
  let used = 0;
  const start = process.cpuUsage();
  while (used < roundMillis * 1000) {
    for (let i = 0; i < 65_536; i++) {
      const view = list[(calls + i) & mask]!;
      if (tcp) verifier.fromTcpSyn(view);
      else verifier.fromUdpDatagram(view);
    }
    calls += 65_536;
    const usage = process.cpuUsage(start);
    used = usage.user + usage.system;
  }
  return calls / (used / 1e6);
}

/** The same for one node:crypto call per tag, for comparison. */
function callRate(work: () => unknown): number {
  let calls = 0;
  let used = 0;
  const start = process.cpuUsage();
  while (used < roundMillis * 1000) {
    for (let i = 0; i < 4_096; i++) work();
    calls += 4_096;
    const usage = process.cpuUsage(start);
    used = usage.user + usage.system;
  }
  return calls / (used / 1e6);
}

function report(name: string, measure: () => number): number {
  const figures = Array.from({ length: rounds }, measure).sort((a, b) => a - b);
  const median = figures[Math.floor(rounds / 2)]!;
  const shown = (n: number) => Math.round(n).toLocaleString('en-US').padStart(11);
  console.log(`${name.padEnd(44)} ${shown(median)} /s (best ${shown(figures.at(-1)!)})`);
  return median;
}

console.log(`Tag verifications per second of CPU time, one core (median of ${rounds} rounds)`);
const checks: [string, TagPacketView[], boolean, boolean][] = [
  ['TCP SYN, IPv4', views('tcp4'), true, false],
  ['TCP SYN, IPv4, replay protection on', views('tcp4'), true, true],
  ['TCP SYN, IPv6', views('tcp6'), true, false],
  // The collector's views may leave addresses out; then they come from the IP header.
  ['TCP SYN, IPv4, addresses from the packet', views('tcp4').map(withoutAddresses), true, false],
  ['UDP trailer, IPv4', views('udp4'), false, false],
];
let headline = 0;
for (const [name, list, tcp, replayProtection] of checks) {
  const verifier = new TagVerifier({ siteSecrets: new Map([[0, secret]]), replayProtection });
  const figure = report(name, () => verifyRate(verifier, list, tcp));
  if (headline === 0) headline = figure;
  const counts = verifier.counts;
  const wrong = counts.bad_mac + counts.malformed + counts.untagged;
  if (wrong > 0) throw new Error(`${name}: ${wrong} tags did not verify`);
}

// The same 28-byte message through node:crypto, for comparison: HMAC-SHA256 per tag, and two
// AES-128 blocks per tag (the least that AES-CMAC of 28 bytes costs).
const message = Buffer.alloc(28, 1);
const aesKey = Buffer.alloc(16, 2);
const zeroIv = Buffer.alloc(16);
const blocks = Buffer.alloc(32);
report('for comparison: HMAC-SHA256 (node:crypto)', () =>
  callRate(() => createHmac('sha256', secret).update(message).digest()),
);
report('for comparison: AES-128-CBC, 2 blocks', () =>
  callRate(() => createCipheriv('aes-128-cbc', aesKey, zeroIv).update(blocks)),
);
const verdict = headline >= targetPerSecond ? 'met' : 'NOT met';
console.log(`target ${targetPerSecond.toLocaleString('en-US')} per second: ${verdict}`);
