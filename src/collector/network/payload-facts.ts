import { extended, grown, type ColumnGroup } from './column-group.js';
import { desktopPayload, desktopPayloadNames, genericPayload } from './payload-signatures.js';
import { clientHelloServerName, looksLikeClientHello } from './tls-client-hello.js';

/** Payload packets looked at per connection before the payload rules give up. */
export const maxPayloadsInspected = 4;

/** What the payload of each connection showed, per slot: protocol and TLS server name. */
export class PayloadFacts implements ColumnGroup {
  /** Payload packets looked at so far. */
  inspected: Uint8Array;
  /** The protocol a payload rule recognised (a constant name), if any. */
  readonly protocol: (string | undefined)[] = [];
  /** The server name from a TLS ClientHello, if one was seen. */
  readonly serverName: (string | undefined)[] = [];

  constructor(slots: number) {
    this.inspected = new Uint8Array(slots);
    extended(this.protocol, slots);
    extended(this.serverName, slots);
  }

  /** Looks at one packet's captured payload, data[start, end); keeps what a rule recognises. */
  inspect(slot: number, fromOriginator: boolean, data: Uint8Array, start: number, end: number) {
    this.inspected[slot]!++;
    if (
      fromOriginator &&
      this.serverName[slot] === undefined &&
      looksLikeClientHello(data, start, end)
    ) {
      this.serverName[slot] = clientHelloServerName(data, start, end);
    }
    // A desktop protocol's signature, once seen, is final; a generic one may give way to it.
    const known = this.protocol[slot];
    if (known !== undefined && desktopPayloadNames.has(known)) return;
    this.protocol[slot] =
      desktopPayload(data, start, end) ?? known ?? genericPayload(data, start, end);
  }

  grow(slots: number): void {
    this.inspected = grown(this.inspected, slots);
    extended(this.protocol, slots);
    extended(this.serverName, slots);
  }

  clear(slot: number): void {
    this.inspected[slot] = 0;
    this.protocol[slot] = undefined;
    this.serverName[slot] = undefined;
  }
}
