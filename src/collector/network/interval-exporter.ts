import type { ConnectionEndSink, IntervalSink } from './connection-ends.js';
import type { FlowRecord } from './flow-record.js';
import { hasNewTraffic, takeFlowRecord } from './interval-records.js';

/**
 * Turns a tracker's connections into interval records: at every interval boundary one for
 * each open connection that sent anything since its last record, and a last one when a
 * connection ends. Pass `onConnectionEnd` and `onInterval` to the FlowTracker.
 */
export class IntervalExporter {
  records = 0;

  constructor(private readonly out: (record: FlowRecord) => void) {}

  readonly onConnectionEnd: ConnectionEndSink = (store, slot, reason) => {
    this.records++;
    this.out(takeFlowRecord(store, slot, 0, reason));
  };

  readonly onInterval: IntervalSink = (store, boundarySeconds) => {
    for (let slot = 0; slot < store.slotsUsed; slot++) {
      if (!store.isLive(slot) || !hasNewTraffic(store, slot)) continue;
      this.records++;
      this.out(takeFlowRecord(store, slot, boundarySeconds, 'open'));
    }
  };
}
