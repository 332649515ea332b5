import { addressText } from './address-format.js';
import { connStateOf } from './conn-state.js';
import { ipProtocol } from './decoded-packet.js';
import type { FlowRecord, IntervalCounts, NanosStats } from './flow-record.js';
import type { FlowStore } from './flow-store.js';
import { lastSeenSeconds } from './idle-timeouts.js';
import { classify } from './protocol-classifier.js';
import type { RunningStats } from './running-stats.js';

/**
 * The record of the connection in `slot` since its previous one, up to `endSeconds`; marks it
 * taken, so that the next record starts there.
 */
export function takeFlowRecord(
  store: FlowStore,
  slot: number,
  endSeconds: number,
  end: FlowRecord['end'],
): FlowRecord {
  const marks = store.intervals;
  const tcp = store.protocol[slot] === ipProtocol.tcp;
  const ipVersion = store.ipVersion[slot]!;
  const history = tcp ? store.history.text(slot) : '';
  const guess = classify(store, slot);
  const handshake = store.initialRttNanos[slot]!;
  const firstSeconds = store.baseSeconds[slot]! + store.firstNanos[slot]! / 1e9;
  const intervalStart = marks.startSeconds[slot] || firstSeconds;
  const lastSeen = lastSeenSeconds(store, slot);
  const serverName = store.payload.serverName[slot];
  const attribution = store.attribution[slot];
  const unanswered = store.response.unanswered[slot]! - marks.unanswered[slot]!;

  const record: FlowRecord = {
    transport: tcp ? 'tcp' : 'udp',
    origAddress: addressText(ipVersion, store.addresses, slot * 2),
    origPort: store.origPort[slot]!,
    respAddress: addressText(ipVersion, store.addresses, slot * 2 + 1),
    respPort: store.respPort[slot]!,
    // A connection's base second is that of its first packet (see FlowStore).
    startSeconds: store.baseSeconds[slot]!,
    startNanos: store.firstNanos[slot]!,
    intervalStartSeconds: intervalStart,
    intervalEndSeconds: end === 'open' ? endSeconds : Math.max(lastSeen, intervalStart),
    end,
    connState: connStateOf(store, slot, history),
    history,
    protocol: guess.name,
    protocolRule: guess.rule,
    ...(serverName !== undefined && { serverName }),
    orig: takeCounts(store, slot * 2),
    resp: takeCounts(store, slot * 2 + 1),
    ...(handshake !== 0 && marks.handshakeReported[slot] === 0 && { handshakeRttNanos: handshake }),
    ackRtt: takeStats(marks.ackRtt, slot),
    responseTime: { ...takeStats(store.response.sinceRecord, slot), unanswered },
    ...(attribution?.source === 'tag' && {
      tag: { machineNumber: attribution.machineId, userNumber: attribution.userId },
    }),
  };
  if (handshake !== 0) marks.handshakeReported[slot] = 1;
  marks.unanswered[slot] = store.response.unanswered[slot]!;
  marks.startSeconds[slot] = endSeconds;
  return record;
}

/** Whether the connection sent anything since its last record. */
export function hasNewTraffic(store: FlowStore, slot: number): boolean {
  const { packets } = store.sides;
  const marks = store.intervals.packets;
  return packets[slot * 2] !== marks[slot * 2] || packets[slot * 2 + 1] !== marks[slot * 2 + 1];
}

function takeCounts(store: FlowStore, side: number): IntervalCounts {
  const now = store.sides;
  const marks = store.intervals;
  const counts: IntervalCounts = {
    packets: now.packets[side]! - marks.packets[side]!,
    bytes: now.wireBytes[side]! - marks.wireBytes[side]!,
    payloadBytes: now.payloadBytes[side]! - marks.payloadBytes[side]!,
    retransmissions: now.retransmissions[side]! - marks.retransmissions[side]!,
    outOfOrder: now.outOfOrder[side]! - marks.outOfOrder[side]!,
    zeroWindows: now.zeroWindows[side]! - marks.zeroWindows[side]!,
  };
  marks.packets[side] = now.packets[side]!;
  marks.wireBytes[side] = now.wireBytes[side]!;
  marks.payloadBytes[side] = now.payloadBytes[side]!;
  marks.retransmissions[side] = now.retransmissions[side]!;
  marks.outOfOrder[side] = now.outOfOrder[side]!;
  marks.zeroWindows[side] = now.zeroWindows[side]!;
  return counts;
}

function takeStats(stats: RunningStats, slot: number): NanosStats {
  const count = stats.count[slot]!;
  const taken: NanosStats =
    count === 0
      ? { count: 0, sumNanos: 0, minNanos: 0, maxNanos: 0 }
      : {
          count,
          sumNanos: stats.sumNanos[slot]!,
          minNanos: stats.minNanos[slot]!,
          maxNanos: stats.maxNanos[slot]!,
        };
  stats.clear(slot);
  return taken;
}
