// Made-up flow records, as a network collector sends them, for delivery and hub tests.
import type { FlowRecord, IntervalCounts } from '../../src/collector/network/flow-record.js';

const noSamples = { count: 0, sumNanos: 0, minNanos: 0, maxNanos: 0 };
const someTraffic: IntervalCounts = {
  packets: 3,
  bytes: 300,
  payloadBytes: 100,
  retransmissions: 0,
  outOfOrder: 0,
  zeroWindows: 0,
};

/** A TLS connection's record for one minute, open, with `fields` changed. */
export function flowRecord(fields: Partial<FlowRecord> = {}): FlowRecord {
  return {
    transport: 'tcp',
    origAddress: '10.0.0.1',
    origPort: 40_000,
    respAddress: '10.0.0.2',
    respPort: 443,
    startSeconds: 1_700_000_000,
    startNanos: 5,
    intervalStartSeconds: 1_700_000_000,
    intervalEndSeconds: 1_700_000_060,
    end: 'open',
    connState: 'S1',
    history: 'ShAD',
    protocol: 'tls',
    protocolRule: 'payload',
    orig: someTraffic,
    resp: someTraffic,
    ackRtt: noSamples,
    responseTime: { ...noSamples, unanswered: 0 },
    ...fields,
  };
}
