import { ipProtocol } from './decoded-packet.js';
import type { FlowStore } from './flow-store.js';
import { EndpointState } from './zeek-endpoint.js';

/**
 * How long a connection may stay silent, by state, before it is taken as over: its figures are
 * handed on and its memory reused. A packet that comes later starts a new connection. Defaults
 * follow Zeek's timers where it has one, so that connections split where Zeek splits them.
 */
export interface IdleTimeouts {
  /** A SYN never answered. Linux retries a SYN for about 127 s; later tries count anew. */
  tcpAttemptSeconds: number;
  /** Established or picked up mid-stream: Zeek's tcp_inactivity_timeout. */
  tcpEstablishedSeconds: number;
  /** One side has closed, the other not yet. */
  tcpHalfClosedSeconds: number;
  /** Both sides closed: only stray retransmissions and last ACKs can follow (tcp_close_delay). */
  tcpClosedSeconds: number;
  /** Reset by either side (Zeek's tcp_reset_delay). */
  tcpResetSeconds: number;
  /** UDP (Zeek's udp_inactivity_timeout). */
  udpSeconds: number;
}

export const defaultIdleTimeouts: Readonly<IdleTimeouts> = {
  tcpAttemptSeconds: 60,
  tcpEstablishedSeconds: 300,
  tcpHalfClosedSeconds: 120,
  tcpClosedSeconds: 5,
  tcpResetSeconds: 5,
  udpSeconds: 60,
};

/** The silence the connection in `slot` is allowed, given its state now, in seconds. */
export function idleLimitSeconds(store: FlowStore, slot: number, timeouts: IdleTimeouts): number {
  if (store.protocol[slot] !== ipProtocol.tcp) return timeouts.udpSeconds;
  const orig = store.endpoints.state[slot * 2]!;
  const resp = store.endpoints.state[slot * 2 + 1]!;
  if (orig === EndpointState.reset || resp === EndpointState.reset) return timeouts.tcpResetSeconds;
  const closed = (orig === EndpointState.closed ? 1 : 0) + (resp === EndpointState.closed ? 1 : 0);
  if (closed === 2) return timeouts.tcpClosedSeconds;
  if (closed === 1) return timeouts.tcpHalfClosedSeconds;
  const attempt = orig === EndpointState.synSent || orig === EndpointState.synAckSent;
  if (attempt && resp === EndpointState.inactive) return timeouts.tcpAttemptSeconds;
  return timeouts.tcpEstablishedSeconds;
}

/** When the connection in `slot` last carried a packet, in epoch seconds. */
export function lastSeenSeconds(store: FlowStore, slot: number): number {
  return store.baseSeconds[slot]! + store.lastNanos[slot]! / 1e9;
}
