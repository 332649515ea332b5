// Runs tshark 4 on every capture the network tests use and writes, per capture, the figures
// the collector must reproduce into test/fixtures/network-expected/<capture>.json: for each TCP
// and UDP conversation (tshark's tcp.stream / udp.stream), its endpoints, first packet time,
// handshake round trip (tcp.analysis.initial_rtt), every ack round trip (tcp.analysis.ack_rtt),
// and per direction the packets, bytes on the wire (frame.len), payload bytes (tcp.len, or the
// UDP length less its header), retransmissions (tcp.analysis.retransmission, fast_ or
// spurious_), out-of-order segments and zero windows, and the TLS server name.
//
// The originator of a conversation is the sender of its first packet, or the receiver when that
// packet is a SYN-ACK: the collector's rule, applied here to tshark's packets.
//
//   node scripts/expected-from-tshark.mjs        (needs tshark on the PATH)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const captureDirs = [join(root, 'test/fixtures/pcaps/public'), join(root, 'test/fixtures/pcaps')];
const outputDir = join(root, 'test/fixtures/network-expected');
const fields = [
  'frame.time_epoch',
  'frame.len',
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ipv6.dst',
  'tcp.stream',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.flags',
  'tcp.len',
  'tcp.analysis.initial_rtt',
  'tcp.analysis.ack_rtt',
  'tcp.analysis.retransmission',
  'tcp.analysis.fast_retransmission',
  'tcp.analysis.spurious_retransmission',
  'tcp.analysis.out_of_order',
  'tcp.analysis.zero_window',
  'udp.stream',
  'udp.srcport',
  'udp.dstport',
  'udp.length',
  'tls.handshake.extensions_server_name',
];
// ICMP errors quote TCP and UDP headers; they are not traffic of those connections.
const displayFilter = '(tcp or udp) and not icmp and not icmpv6';

const version = execFileSync('tshark', ['--version'], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'ignore'],
}).split('\n')[0];
mkdirSync(outputDir, { recursive: true });
for (const dir of captureDirs) {
  for (const name of readdirSync(dir)
    .filter((n) => /\.pcap(ng)?$/.test(n))
    .sort()) {
    const connections = conversations(join(dir, name));
    const expected = {
      capture: name,
      reference: version,
      generatedBy: 'scripts/expected-from-tshark.mjs',
      connections,
    };
    writeFileSync(join(outputDir, `${name}.json`), `${JSON.stringify(expected, null, 1)}\n`);
    console.log(`${name}: ${connections.length} conversations`);
  }
}

function conversations(path) {
  const args = [
    '-r',
    path,
    '-n',
    '-Y',
    displayFilter,
    '-T',
    'fields',
    '-E',
    'separator=/t',
    '-E',
    'occurrence=l',
  ];
  const text = execFileSync('tshark', [...args, ...fields.flatMap((f) => ['-e', f])], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const byStream = new Map();
  for (const line of text.split('\n').filter(Boolean)) {
    const f = Object.fromEntries(line.split('\t').map((value, i) => [fields[i], value]));
    const tcp = f['tcp.stream'] !== '';
    const key = tcp ? `tcp ${f['tcp.stream']}` : `udp ${f['udp.stream']}`;
    const src = `${f['ipv6.src'] || f['ip.src']}:${tcp ? f['tcp.srcport'] : f['udp.srcport']}`;
    const dst = `${f['ipv6.dst'] || f['ip.dst']}:${tcp ? f['tcp.dstport'] : f['udp.dstport']}`;
    let c = byStream.get(key);
    if (!c) {
      const synAck = tcp && (Number(f['tcp.flags']) & 0x12) === 0x12;
      c = {
        transport: tcp ? 'tcp' : 'udp',
        start: f['frame.time_epoch'],
        orig: synAck ? dst : src,
        resp: synAck ? src : dst,
        ackRttSeconds: [],
        sides: [emptySide(), emptySide()],
      };
      byStream.set(key, c);
    }
    const side = c.sides[src === c.orig ? 0 : 1];
    side.packets++;
    side.bytes += Number(f['frame.len']);
    side.payloadBytes += tcp ? Number(f['tcp.len']) : Number(f['udp.length']) - 8;
    if (
      f['tcp.analysis.retransmission'] ||
      f['tcp.analysis.fast_retransmission'] ||
      f['tcp.analysis.spurious_retransmission']
    ) {
      side.retransmissions++;
    }
    if (f['tcp.analysis.out_of_order']) side.outOfOrder++;
    if (f['tcp.analysis.zero_window']) side.zeroWindows++;
    if (f['tcp.analysis.initial_rtt'] && c.handshakeRttSeconds === undefined) {
      c.handshakeRttSeconds = Number(f['tcp.analysis.initial_rtt']);
    }
    if (f['tcp.analysis.ack_rtt']) c.ackRttSeconds.push(Number(f['tcp.analysis.ack_rtt']));
    if (f['tls.handshake.extensions_server_name'] && c.serverName === undefined) {
      c.serverName = f['tls.handshake.extensions_server_name'];
    }
  }
  return [...byStream.values()].map(({ sides, ...c }) => ({
    ...c,
    origSide: sides[0],
    respSide: sides[1],
  }));
}

function emptySide() {
  return {
    packets: 0,
    bytes: 0,
    payloadBytes: 0,
    retransmissions: 0,
    outOfOrder: 0,
    zeroWindows: 0,
  };
}
