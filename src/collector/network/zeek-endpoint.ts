import { grown, type ColumnGroup } from './column-group.js';
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

/** Each side of each connection as Zeek's TCP analyzer tracks it, by slot * 2 + side. */
export class ZeekEndpoints implements ColumnGroup {
  state: Uint8Array;
  previousState: Uint8Array;

  constructor(slots: number) {
    this.state = new Uint8Array(slots * 2);
    this.previousState = new Uint8Array(slots * 2);
  }

  set(side: number, next: number): void {
    const current = this.state[side]!;
    if (next === current) return;
    this.previousState[side] = current;
    this.state[side] = next;
  }

  grow(slots: number): void {
    this.state = grown(this.state, slots * 2);
    this.previousState = grown(this.previousState, slots * 2);
  }

  clear(slot: number): void {
    this.state.fill(EndpointState.inactive, slot * 2, slot * 2 + 2);
    this.previousState.fill(EndpointState.inactive, slot * 2, slot * 2 + 2);
  }
}

/**
 * Moves the sender's endpoint (and sometimes its peer) on one TCP segment, following the state
 * machine of Zeek's TCP analyzer as its source documents it. `sender` and `peer` are indexes
 * slot * 2 + side; side 0 is the originator.
 * Not yet: Zeek's SYN/SYN-ACK reversal, where it swaps originator and responder mid-connection.
 */
export function updateEndpoints(
  e: ZeekEndpoints,
  sender: number,
  peer: number,
  flags: number,
  payloadLength: number,
): void {
  const syn = (flags & tcpFlag.syn) !== 0;
  const ack = (flags & tcpFlag.ack) !== 0;
  const fin = (flags & tcpFlag.fin) !== 0;
  const rst = (flags & tcpFlag.rst) !== 0;
  const fromOriginator = (sender & 1) === 0;
  const peerState = e.state[peer]!;

  switch (e.state[sender]) {
    case EndpointState.inactive:
      if (syn && fromOriginator)
        e.set(sender, ack ? EndpointState.synAckSent : EndpointState.synSent);
      if (syn && !fromOriginator) {
        if (peerState === EndpointState.synSent) e.set(peer, EndpointState.established);
        e.set(sender, EndpointState.established);
      }
      if (fin) e.set(sender, EndpointState.closed);
      if (rst) e.set(sender, EndpointState.reset);
      if (e.state[sender] !== EndpointState.inactive) return;
      // A responder that acknowledges a SYN before answering it is not yet a partial connection.
      if (!fromOriginator && payloadLength === 0 && peerState === EndpointState.synSent) return;
      if (ack && peerState === EndpointState.established) e.set(sender, EndpointState.established);
      else e.set(sender, EndpointState.partial);
      return;
    case EndpointState.synSent:
    case EndpointState.synAckSent:
      if (fin) e.set(sender, EndpointState.closed);
      if (rst) e.set(sender, EndpointState.reset);
      return;
    case EndpointState.established:
    case EndpointState.partial:
      if (
        syn &&
        !ack &&
        e.state[sender] === EndpointState.partial &&
        peerState === EndpointState.inactive
      ) {
        e.set(sender, EndpointState.synSent);
      }
      if (fin && !rst) {
        e.set(sender, EndpointState.closed);
        // A FIN after the peer's FIN and RST: the close was normal after all.
        if (peerState === EndpointState.reset && e.previousState[peer] === EndpointState.closed) {
          e.set(peer, EndpointState.closed);
        }
      }
      if (rst) e.set(sender, EndpointState.reset);
      return;
    case EndpointState.closed:
      if (rst && peerState !== EndpointState.closed) e.set(sender, EndpointState.reset);
      return;
  }
}
