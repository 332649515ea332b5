import { ipProtocol } from './decoded-packet.js';
import type { Flow } from './flow.js';
import { clientHelloServerName, looksLikeClientHello } from './tls-client-hello.js';

/** Payload packets looked at per connection before the payload rules give up. */
export const maxPayloadsInspected = 4;

/** A connection's protocol, and whether its payload or only its port said so. */
export interface ProtocolGuess {
  name: string;
  rule: 'payload' | 'port' | 'none';
}

// Desktop protocols first: their port wins over a generic payload rule, so that PCoIP or Blast
// over TLS is reported as the desktop protocol (with the TLS server name kept alongside).
const desktopPayloadNames = new Set(['rdp', 'citrix-ica', 'citrix-cgp']);
const desktopPorts: Record<string, string> = {
  'tcp/3389': 'rdp',
  'udp/3389': 'rdp',
  'tcp/1494': 'citrix-ica',
  'tcp/2598': 'citrix-cgp',
  'udp/2598': 'citrix-cgp',
  'tcp/4172': 'pcoip',
  'udp/4172': 'pcoip',
  'tcp/22443': 'vmware-blast',
  'udp/22443': 'vmware-blast',
};
const otherPorts: Record<string, string> = {
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
};
const httpStarts = [
  'GET ',
  'POST ',
  'HEAD ',
  'PUT ',
  'DELETE ',
  'OPTIONS ',
  'PATCH ',
  'CONNECT ',
  'HTTP/1.',
];

/** Looks at one packet's captured payload; records what a payload rule recognises. */
export function inspectPayload(
  flow: Flow,
  fromOriginator: boolean,
  data: Uint8Array,
  start: number,
  end: number,
) {
  flow.payloadsInspected++;
  if (fromOriginator && flow.serverName === undefined && looksLikeClientHello(data, start, end)) {
    flow.serverName = clientHelloServerName(data, start, end);
  }
  // A desktop protocol's signature, once seen, is final; a generic one may still give way to it.
  if (flow.payloadProtocol !== undefined && desktopPayloadNames.has(flow.payloadProtocol)) return;
  flow.payloadProtocol =
    desktopPayload(data, start, end) ?? flow.payloadProtocol ?? genericPayload(data, start, end);
}

/** The protocol by the documented precedence: desktop payload, desktop port, payload, port. */
export function classify(flow: Flow): ProtocolGuess {
  const payload = flow.payloadProtocol;
  if (payload !== undefined && desktopPayloadNames.has(payload))
    return { name: payload, rule: 'payload' };
  const transport = flow.protocol === ipProtocol.tcp ? 'tcp' : 'udp';
  const ports = [`${transport}/${flow.respPort}`, `${transport}/${flow.origPort}`];
  const desktop = ports.map((port) => desktopPorts[port]).find((name) => name !== undefined);
  if (desktop !== undefined) return { name: desktop, rule: 'port' };
  if (payload !== undefined) return { name: payload, rule: 'payload' };
  const other = ports.map((port) => otherPorts[port]).find((name) => name !== undefined);
  return other !== undefined ? { name: other, rule: 'port' } : { name: 'unknown', rule: 'none' };
}

function desktopPayload(data: Uint8Array, start: number, end: number): string | undefined {
  const length = end - start;
  // TPKT version 3, then an X.224 Connection Request: how every RDP connection opens.
  if (
    length >= 11 &&
    data[start] === 3 &&
    data[start + 1] === 0 &&
    (data[start + 5]! & 0xf0) === 0xe0
  )
    return 'rdp';
  if (startsWith(data, start, end, '\x7f\x7fICA\x00')) return 'citrix-ica';
  if (startsWith(data, start, end, '\x1aCGP/01') || startsWith(data, start, end, 'CGP/01'))
    return 'citrix-cgp';
  return undefined;
}

function genericPayload(data: Uint8Array, start: number, end: number): string | undefined {
  if (end - start >= 3 && data[start] === 0x16 && data[start + 1] === 3 && data[start + 2]! <= 4)
    return 'tls';
  for (const method of httpStarts) if (startsWith(data, start, end, method)) return 'http';
  if (startsWith(data, start, end, 'SSH-')) return 'ssh';
  if (
    end - start >= 8 &&
    (data[start + 4] === 0xff || data[start + 4] === 0xfe) &&
    startsWith(data, start + 5, end, 'SMB')
  ) {
    return 'smb';
  }
  return undefined;
}

function startsWith(data: Uint8Array, start: number, end: number, text: string): boolean {
  if (end - start < text.length) return false;
  for (let i = 0; i < text.length; i++) if (data[start + i] !== text.charCodeAt(i)) return false;
  return true;
}
