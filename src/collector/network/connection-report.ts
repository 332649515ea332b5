import { addressText } from './address-format.js';
import {
  epochText,
  type ConnectionReport,
  type ExchangeReport,
  type SideReport,
} from './analysis-report.js';
import type { AddressDirectory } from './attribution.js';
import { connStateOf } from './conn-state.js';
import { ipProtocol } from './decoded-packet.js';
import type { FlowStore } from './flow-store.js';
import { classify } from './protocol-classifier.js';

/**
 * The report of the connection in `slot`. Optional fields are added one by one, in the order
 * of the ConnectionReport type, so that JSON output keeps a stable order of keys.
 */
export function connectionReport(
  store: FlowStore,
  slot: number,
  directory?: AddressDirectory,
): ConnectionReport {
  const baseSeconds = store.baseSeconds[slot]!;
  const firstNanos = store.firstNanos[slot]!;
  const tcp = store.protocol[slot] === ipProtocol.tcp;
  const durationSeconds = (store.lastNanos[slot]! - firstNanos) / 1e9;
  const ipVersion = store.ipVersion[slot]!;
  const origAddress = addressText(ipVersion, store.addresses, slot * 2);
  const guess = classify(store, slot);
  const history = tcp ? store.history.text(slot) : '';
  const sides = store.sides;

  const report: ConnectionReport = {
    id: store.serial[slot]!,
    transport: tcp ? 'tcp' : 'udp',
    origAddress,
    origPort: store.origPort[slot]!,
    respAddress: addressText(ipVersion, store.addresses, slot * 2 + 1),
    respPort: store.respPort[slot]!,
    start: epochText(baseSeconds, firstNanos),
    durationSeconds,
    protocol: guess.name,
    protocolRule: guess.rule,
  } as ConnectionReport; // the rest follows, in order
  const serverName = store.payload.serverName[slot];
  if (serverName !== undefined) report.serverName = serverName;
  report.connState = connStateOf(store, slot, history);
  if (tcp) report.history = history;
  const initialRttNanos = store.initialRttNanos[slot]!;
  if (initialRttNanos !== 0) report.handshakeRttSeconds = initialRttNanos / 1e9;
  const ackRtt = store.ackRtt.summary(slot);
  if (ackRtt !== undefined) report.ackRtt = ackRtt;
  addResponseTime(report, store, slot);
  report.orig = sideReport(store, slot * 2, durationSeconds);
  report.resp = sideReport(store, slot * 2 + 1, durationSeconds);
  report.perSecond = store.buckets.entries(slot, baseSeconds);
  const startSecond = Math.floor(firstNanos / 1e9) + baseSeconds;
  report.attribution = store.attribution[slot] ?? directory?.machineAt(origAddress, startSecond);
  report.reusedPorts = store.reusedPorts[slot] === 1;
  return report;
}

function addResponseTime(report: ConnectionReport, store: FlowStore, slot: number): void {
  const response = store.response;
  const summary = response.stats.summary(slot);
  if (summary === undefined) return;
  const baseSeconds = store.baseSeconds[slot]!;
  const exchanges = new Array<ExchangeReport>(response.keptCount(slot));
  for (let i = 0; i < exchanges.length; i++) {
    exchanges[i] = {
      at: epochText(baseSeconds, response.requestTimeNanos(slot, i)),
      seconds: response.responseNanos(slot, i) / 1e9,
    };
  }
  report.responseTime = {
    ...summary,
    unanswered: response.unanswered[slot]!,
    exchanges,
  };
}

function sideReport(store: FlowStore, side: number, durationSeconds: number): SideReport {
  const sides = store.sides;
  const wireBytes = sides.wireBytes[side]!;
  const report: SideReport = {
    packets: sides.packets[side]!,
    bytes: wireBytes,
    payloadBytes: sides.payloadBytes[side]!,
    retransmissions: sides.retransmissions[side]!,
    outOfOrder: sides.outOfOrder[side]!,
    zeroWindows: sides.zeroWindows[side]!,
  };
  if (durationSeconds > 0) report.kilobytesPerSecond = wireBytes / 1000 / durationSeconds;
  return report;
}
