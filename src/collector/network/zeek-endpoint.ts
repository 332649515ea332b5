import { tcpFlag } from './decoded-packet.js';

/** A TCP endpoint's state in Zeek's model (the values of its conn.log states). */
export const EndpointState = {
  inactive: 0,
  synSent: 1,
  synAckSent: 2,
  partial: 3,
  established: 4,
  closed: 5,
  reset: 6,
} as const;

/** One side of a connection as Zeek's TCP analyzer tracks it. */
export class ZeekEndpoint {
  state: number = EndpointState.inactive;
  previousState: number = EndpointState.inactive;

  set(next: number): void {
    if (next === this.state) return;
    this.previousState = this.state;
    this.state = next;
  }
}

/**
 * Moves the sender's endpoint (and sometimes its peer) on one TCP segment, following the state
 * machine of Zeek's TCP analyzer as its source documents it.
 * Not yet: Zeek's SYN/SYN-ACK reversal, where it swaps originator and responder mid-connection.
 */
export function updateEndpoints(
  sender: ZeekEndpoint,
  peer: ZeekEndpoint,
  fromOriginator: boolean,
  originator: ZeekEndpoint,
  flags: number,
  payloadLength: number,
): void {
  const syn = (flags & tcpFlag.syn) !== 0;
  const ack = (flags & tcpFlag.ack) !== 0;
  const fin = (flags & tcpFlag.fin) !== 0;
  const rst = (flags & tcpFlag.rst) !== 0;

  switch (sender.state) {
    case EndpointState.inactive:
      if (syn && fromOriginator) sender.set(ack ? EndpointState.synAckSent : EndpointState.synSent);
      if (syn && !fromOriginator) {
        if (peer.state === EndpointState.synSent) peer.set(EndpointState.established);
        sender.set(EndpointState.established);
      }
      if (fin) sender.set(EndpointState.closed);
      if (rst) sender.set(EndpointState.reset);
      if (sender.state !== EndpointState.inactive) return;
      // A responder that acknowledges a SYN before answering it is not yet a partial connection.
      if (!fromOriginator && payloadLength === 0 && originator.state === EndpointState.synSent)
        return;
      if (ack && peer.state === EndpointState.established) sender.set(EndpointState.established);
      else sender.set(EndpointState.partial);
      return;
    case EndpointState.synSent:
    case EndpointState.synAckSent:
      if (fin) sender.set(EndpointState.closed);
      if (rst) sender.set(EndpointState.reset);
      return;
    case EndpointState.established:
    case EndpointState.partial:
      if (
        syn &&
        !ack &&
        sender.state === EndpointState.partial &&
        peer.state === EndpointState.inactive
      ) {
        sender.set(EndpointState.synSent);
      }
      if (fin && !rst) {
        sender.set(EndpointState.closed);
        // A FIN after the peer's FIN and RST: the close was normal after all.
        if (peer.state === EndpointState.reset && peer.previousState === EndpointState.closed) {
          peer.set(EndpointState.closed);
        }
      }
      if (rst) sender.set(EndpointState.reset);
      return;
    case EndpointState.closed:
      if (rst && peer.state !== EndpointState.closed) sender.set(EndpointState.reset);
      return;
  }
}
