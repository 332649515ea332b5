import { ipProtocol } from './decoded-packet.js';
import type { FlowStore } from './flow-store.js';
import { EndpointState } from './zeek-endpoint.js';

/** Zeek's conn_state values (see the definitions in docs/architecture.md). */
export type ConnState =
  | 'S0'
  | 'S1'
  | 'SF'
  | 'REJ'
  | 'S2'
  | 'S3'
  | 'RSTO'
  | 'RSTR'
  | 'RSTOS0'
  | 'RSTRH'
  | 'SH'
  | 'SHR'
  | 'OTH';

// The originator sent a SYN first and then a RST, with no handshake, ACK, FIN, gap, or odd flag
// combination of its own in between.
const synThenResetPattern = /^\^?S[^HAFGIQ]*R/;

/**
 * Maps a TCP connection's endpoint states (`os` the originator's, `rs` the responder's), its
 * history and payload sizes to Zeek's conn_state, by the rules of Zeek's conn.log.
 */
export function tcpConnState(
  os: number,
  rs: number,
  history: string,
  origPayloadBytes: number,
  respPayloadBytes: number,
): ConnState {
  const origInactive = os === EndpointState.inactive || os === EndpointState.partial;
  const respInactive = rs === EndpointState.inactive || rs === EndpointState.partial;

  if (rs === EndpointState.reset) {
    const noPayload = origPayloadBytes === 0 && respPayloadBytes === 0;
    if (os === EndpointState.synSent || os === EndpointState.synAckSent) return 'REJ';
    if (os === EndpointState.reset && noPayload) return 'REJ';
    return origInactive ? 'RSTRH' : 'RSTR';
  }
  if (os === EndpointState.reset) {
    if (!respInactive) return 'RSTO';
    return synThenResetPattern.test(history) ? 'RSTOS0' : 'OTH';
  }
  if (rs === EndpointState.closed && os === EndpointState.closed) return 'SF';
  if (os === EndpointState.closed) return respInactive ? 'SH' : 'S2';
  if (rs === EndpointState.closed) return origInactive ? 'SHR' : 'S3';
  if (os === EndpointState.synSent && rs === EndpointState.inactive) return 'S0';
  if (os === EndpointState.established && rs === EndpointState.established) return 'S1';
  return 'OTH';
}

/** UDP has no states: who sent anything decides. */
export function udpConnState(origPackets: number, respPackets: number): ConnState {
  if (origPackets > 0) return respPackets > 0 ? 'SF' : 'S0';
  return respPackets > 0 ? 'SHR' : 'OTH';
}

/** The conn_state of the connection in `slot` now; `history` is its history text. */
export function connStateOf(store: FlowStore, slot: number, history: string): ConnState {
  const { packets, payloadBytes } = store.sides;
  if (store.protocol[slot] !== ipProtocol.tcp) {
    return udpConnState(packets[slot * 2]!, packets[slot * 2 + 1]!);
  }
  const { state } = store.endpoints;
  const [orig, resp] = [slot * 2, slot * 2 + 1];
  return tcpConnState(
    state[orig]!,
    state[resp]!,
    history,
    payloadBytes[orig]!,
    payloadBytes[resp]!,
  );
}
