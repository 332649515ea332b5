import { u16be } from './byte-order.js';

const handshakeRecord = 0x16;
const clientHello = 0x01;
const serverNameExtension = 0;
const hostNameType = 0;

/**
 * The server name (SNI) a TLS ClientHello asks for, read from the first record of a connection's
 * payload; undefined when the bytes are not a ClientHello or the name is not within them.
 * Every length is checked against the bytes present.
 */
export function clientHelloServerName(
  data: Uint8Array,
  start: number,
  end: number,
): string | undefined {
  if (!looksLikeClientHello(data, start, end)) return undefined;
  const recordEnd = Math.min(end, start + 5 + u16be(data, start + 3));
  let at = start + 9 + 2 + 32; // record header, handshake header, version, random
  if (at + 1 > recordEnd) return undefined;
  at += 1 + data[at]!; // session id
  if (at + 2 > recordEnd) return undefined;
  at += 2 + u16be(data, at); // cipher suites
  if (at + 1 > recordEnd) return undefined;
  at += 1 + data[at]!; // compression methods
  if (at + 2 > recordEnd) return undefined;
  const extensionsEnd = Math.min(recordEnd, at + 2 + u16be(data, at));
  at += 2;

  while (at + 4 <= extensionsEnd) {
    const type = u16be(data, at);
    const length = u16be(data, at + 2);
    at += 4;
    if (at + length > extensionsEnd) return undefined;
    if (type === serverNameExtension) return firstHostName(data, at, at + length);
    at += length;
  }
  return undefined;
}

/** Whether the payload starts like a TLS handshake record carrying a ClientHello. */
export function looksLikeClientHello(data: Uint8Array, start: number, end: number): boolean {
  return (
    end - start >= 9 &&
    data[start] === handshakeRecord &&
    data[start + 1] === 3 &&
    data[start + 5] === clientHello
  );
}

function firstHostName(data: Uint8Array, at: number, end: number): string | undefined {
  if (at + 2 > end) return undefined;
  let entry = at + 2;
  while (entry + 3 <= end) {
    const length = u16be(data, entry + 1);
    if (entry + 3 + length > end) return undefined;
    if (data[entry] === hostNameType) {
      return Buffer.from(data.buffer, data.byteOffset + entry + 3, length).toString('latin1');
    }
    entry += 3 + length;
  }
  return undefined;
}
