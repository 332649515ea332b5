import { flowKeyHash } from './flow-key-hash.js';
import type { FlowStore } from './flow-store.js';
import type { FlowTable } from './flow-table.js';
import { idleLimitSeconds, lastSeenSeconds, type IdleTimeouts } from './idle-timeouts.js';

/**
 * Why a connection ended: silent past its idle timeout, replaced by a new connection on the
 * same addresses and ports, or still open when the input ended (the capture file, or the
 * collector stopping).
 */
export type EndReason = 'idle' | 'replaced' | 'finished';

/**
 * Receives each connection as it ends, before its slot is reused: whatever is kept of it must
 * be read from the store during the call.
 */
export type ConnectionEndSink = (store: FlowStore, slot: number, reason: EndReason) => void;

/** Called at each interval boundary (epoch seconds), after idle connections have ended. */
export type IntervalSink = (store: FlowStore, boundarySeconds: number) => void;

/**
 * Ends connections: hands each to the sink, then takes it out of the table and gives its slot
 * back. Sweeps for idle ones at most once a second of capture time, which keeps the cost per
 * packet to one comparison; at every interval boundary calls the interval sink, so that open
 * connections can be reported too.
 */
export class ConnectionEnds {
  /** The latest packet time seen (epoch seconds): the clock idle timeouts are measured by. */
  clockSeconds = Number.NEGATIVE_INFINITY;
  private nextSweepSeconds = Number.NEGATIVE_INFINITY;
  private readonly replaced: number[] = [];

  constructor(
    private readonly store: FlowStore,
    private readonly table: FlowTable,
    private readonly timeouts: IdleTimeouts,
    private readonly sink: ConnectionEndSink,
    private readonly interval?: { seconds: number; sink: IntervalSink },
  ) {}

  /** Moves the clock to `epochSeconds` if that is later, ending connections idle since. */
  advanceTo(epochSeconds: number): void {
    if (epochSeconds <= this.clockSeconds) return;
    const previousSeconds = this.clockSeconds;
    this.clockSeconds = epochSeconds;
    if (epochSeconds < this.nextSweepSeconds) return;
    this.nextSweepSeconds = Math.floor(epochSeconds) + 1;
    this.endReplaced();
    const store = this.store;
    for (let slot = 0; slot < store.slotsUsed; slot++) {
      if (!store.isLive(slot)) continue;
      const silentSeconds = epochSeconds - lastSeenSeconds(store, slot);
      if (silentSeconds > idleLimitSeconds(store, slot, this.timeouts)) this.end(slot, 'idle');
    }
    const interval = this.interval;
    if (!interval) return;
    const boundary = Math.floor(epochSeconds / interval.seconds);
    if (boundary > Math.floor(previousSeconds / interval.seconds)) {
      interval.sink(store, boundary * interval.seconds);
    }
  }

  /**
   * Notes a connection replaced by a new one on its ports: it ends at the next sweep, which
   * keeps the work of ending it (the sink's) out of the per-packet path.
   */
  replace(slot: number): void {
    this.replaced.push(slot);
  }

  /** Ends every connection still open, in the order they began. */
  endAll(): void {
    this.endReplaced();
    for (const slot of this.store.liveSlots()) this.end(slot, 'finished');
  }

  /** Ends one connection now; a request still waiting for its answer counts as unanswered. */
  end(slot: number, reason: EndReason): void {
    this.store.response.finish(slot);
    this.sink(this.store, slot, reason);
    // A connection replaced by a new one on its ports is no longer in the table.
    this.table.remove(slot, flowKeyHash(this.store, slot));
    this.store.close(slot);
  }

  private endReplaced(): void {
    for (const slot of this.replaced) this.end(slot, 'replaced');
    this.replaced.length = 0;
  }
}
