// Payload rules: how the first bytes an application sends give its protocol away.

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

/** Protocols whose payload rule wins over every port rule (see `classify`). */
export const desktopPayloadNames: ReadonlySet<string> = new Set([
  'rdp',
  'citrix-ica',
  'citrix-cgp',
]);

/** A desktop protocol recognised from the payload in data[start, end), if any. */
export function desktopPayload(data: Uint8Array, start: number, end: number): string | undefined {
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

/** Another protocol recognised from the payload (TLS, HTTP, SSH, SMB), if any. */
export function genericPayload(data: Uint8Array, start: number, end: number): string | undefined {
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
