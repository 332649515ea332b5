import { ipProtocol } from './decoded-packet.js';
import type { FlowStore } from './flow-store.js';
import { desktopPayloadNames } from './payload-signatures.js';

/** A connection's protocol, and whether its payload or only its port said so. */
export interface ProtocolGuess {
  name: string;
  rule: 'payload' | 'port' | 'none';
}

// Desktop protocols first: their port wins over a generic payload rule, so that PCoIP or Blast
// over TLS is reported as the desktop protocol (with the TLS server name kept alongside).
const desktopPorts = portTable({
  'tcp/3389': 'rdp',
  'udp/3389': 'rdp',
  'tcp/1494': 'citrix-ica',
  'tcp/2598': 'citrix-cgp',
  'udp/2598': 'citrix-cgp',
  'tcp/4172': 'pcoip',
  'udp/4172': 'pcoip',
  'tcp/22443': 'vmware-blast',
  'udp/22443': 'vmware-blast',
});
const otherPorts = portTable({
  'udp/53': 'dns',
  'tcp/53': 'dns',
  'udp/5353': 'dns',
  'tcp/80': 'http',
  'tcp/8080': 'http',
  'tcp/443': 'tls',
  'udp/443': 'quic',
  'tcp/22': 'ssh',
  'tcp/445': 'smb',
  'udp/123': 'ntp',
  'udp/67': 'dhcp',
  'udp/68': 'dhcp',
  'udp/3478': 'stun',
  'tcp/636': 'tls',
  'tcp/3268': 'ldap',
  'tcp/389': 'ldap',
  'tcp/88': 'kerberos',
  'udp/88': 'kerberos',
});

/** The protocol by the documented precedence: desktop payload, desktop port, payload, port. */
export function classify(store: FlowStore, slot: number): ProtocolGuess {
  const payload = store.payload.protocol[slot];
  if (payload !== undefined && desktopPayloadNames.has(payload))
    return { name: payload, rule: 'payload' };
  const protocol = store.protocol[slot]!;
  const resp = portKey(protocol, store.respPort[slot]!);
  const orig = portKey(protocol, store.origPort[slot]!);
  const desktop = desktopPorts.get(resp) ?? desktopPorts.get(orig);
  if (desktop !== undefined) return { name: desktop, rule: 'port' };
  if (payload !== undefined) return { name: payload, rule: 'payload' };
  const other = otherPorts.get(resp) ?? otherPorts.get(orig);
  return other !== undefined ? { name: other, rule: 'port' } : { name: 'unknown', rule: 'none' };
}

// Port rules are written as "tcp/443" for people and looked up by number for speed.
function portTable(rules: Record<string, string>): Map<number, string> {
  const table = new Map<number, string>();
  for (const [rule, name] of Object.entries(rules)) {
    const [transport, port] = rule.split('/');
    table.set(portKey(transport === 'tcp' ? ipProtocol.tcp : ipProtocol.udp, Number(port)), name);
  }
  return table;
}

function portKey(protocol: number, port: number): number {
  return protocol * 65_536 + port;
}
