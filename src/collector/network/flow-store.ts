import type { Attribution } from './attribution.js';
import { extended, filled, grown, type ColumnGroup } from './column-group.js';
import { ConnHistory } from './conn-history.js';
import { IntervalMarks } from './interval-marks.js';
import { PayloadFacts } from './payload-facts.js';
import { ResponseTimes } from './response-times.js';
import { RunningStats } from './running-stats.js';
import { SideCounters } from './side-counters.js';
import { SlabPool } from './slab-pool.js';
import { TcpSequenceState } from './tcp-sequence-state.js';
import { TrafficBuckets } from './traffic-buckets.js';
import { ZeekEndpoints } from './zeek-endpoint.js';

const initialSlots = 1024;

/**
 * Every open connection's state, in typed arrays indexed by slot (and slot * 2 + side, side 0
 * being the originator): no object per connection or per packet, so tracking stays clear of
 * the garbage collector. Slots of connections that ended are reused. Times are nanoseconds
 * from `baseSeconds`, the epoch second of the connection's first packet.
 */
export class FlowStore {
  slots = initialSlots;
  /** Slots in use now. */
  inUse = 0;
  readonly pool = new SlabPool();
  /** Connection number, in the order connections were first seen (from 0). */
  serial: Float64Array;
  protocol: Uint8Array;
  ipVersion: Uint8Array;
  /** Originator then responder address, four 32-bit words each (IPv4: the first word only). */
  addresses: Uint32Array;
  origPort: Uint16Array;
  respPort: Uint16Array;
  baseSeconds: Float64Array;
  firstNanos: Float64Array;
  lastNanos: Float64Array;
  /** The most recent SYN's time (tshark's ts_mru_syn); -Infinity before any. */
  synNanos: Float64Array;
  /** SYN to the first ACK without SYN (tshark's tcp.analysis.initial_rtt); 0 when none. */
  initialRttNanos: Float64Array;
  /** Set when a new SYN on the same addresses and ports started this connection over an old one. */
  reusedPorts: Uint8Array;
  readonly attribution: (Attribution | undefined)[] = [];
  readonly sides = new SideCounters(initialSlots);
  readonly sequence = new TcpSequenceState(this.pool, initialSlots);
  readonly endpoints = new ZeekEndpoints(initialSlots);
  readonly history = new ConnHistory(initialSlots);
  readonly ackRtt = new RunningStats(initialSlots);
  readonly response = new ResponseTimes(this.pool, initialSlots);
  readonly buckets = new TrafficBuckets(this.pool, initialSlots);
  readonly payload = new PayloadFacts(initialSlots);
  readonly intervals = new IntervalMarks(initialSlots);
  private readonly groups: ColumnGroup[] = [
    this.sides,
    this.sequence,
    this.endpoints,
    this.history,
    this.ackRtt,
    this.response,
    this.buckets,
    this.payload,
    this.intervals,
  ];
  private nextSerial = 0;
  private top = 0;
  private readonly freeSlots: number[] = [];
  private live: Uint8Array;

  constructor() {
    const slots = initialSlots;
    this.serial = new Float64Array(slots);
    this.protocol = new Uint8Array(slots);
    this.ipVersion = new Uint8Array(slots);
    this.addresses = new Uint32Array(slots * 8);
    this.origPort = new Uint16Array(slots);
    this.respPort = new Uint16Array(slots);
    this.baseSeconds = new Float64Array(slots);
    this.firstNanos = new Float64Array(slots);
    this.lastNanos = new Float64Array(slots);
    this.synNanos = filled(Float64Array, slots, Number.NEGATIVE_INFINITY);
    this.initialRttNanos = new Float64Array(slots);
    this.reusedPorts = new Uint8Array(slots);
    this.live = new Uint8Array(slots);
    extended(this.attribution, slots);
  }

  /** A slot for a new connection whose first packet is at `timeSeconds` + `timeNanos`. */
  open(timeSeconds: number, timeNanos: number): number {
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.top++;
    if (slot === this.slots) this.grow(this.slots * 2);
    this.serial[slot] = this.nextSerial++;
    this.baseSeconds[slot] = timeSeconds;
    this.firstNanos[slot] = this.lastNanos[slot] = timeNanos;
    this.live[slot] = 1;
    this.inUse++;
    return slot;
  }

  /** Gives a slot back once its connection is reported; its state returns to the initial one. */
  close(slot: number): void {
    for (const group of this.groups) group.clear(slot);
    this.synNanos[slot] = Number.NEGATIVE_INFINITY;
    this.initialRttNanos[slot] = 0;
    this.reusedPorts[slot] = 0;
    this.attribution[slot] = undefined;
    this.live[slot] = 0;
    this.inUse--;
    this.freeSlots.push(slot);
  }

  /** Slots handed out so far: every live slot is below this. */
  get slotsUsed(): number {
    return this.top;
  }

  isLive(slot: number): boolean {
    return this.live[slot] === 1;
  }

  /** The slots in use, in the order their connections were first seen. */
  liveSlots(): number[] {
    const slots: number[] = [];
    for (let slot = 0; slot < this.top; slot++) if (this.live[slot] === 1) slots.push(slot);
    return slots.sort((a, b) => this.serial[a]! - this.serial[b]!);
  }

  private grow(slots: number): void {
    this.serial = grown(this.serial, slots);
    this.protocol = grown(this.protocol, slots);
    this.ipVersion = grown(this.ipVersion, slots);
    this.addresses = grown(this.addresses, slots * 8);
    this.origPort = grown(this.origPort, slots);
    this.respPort = grown(this.respPort, slots);
    this.baseSeconds = grown(this.baseSeconds, slots);
    this.firstNanos = grown(this.firstNanos, slots);
    this.lastNanos = grown(this.lastNanos, slots);
    this.synNanos = grown(this.synNanos, slots, Number.NEGATIVE_INFINITY);
    this.initialRttNanos = grown(this.initialRttNanos, slots);
    this.reusedPorts = grown(this.reusedPorts, slots);
    this.live = grown(this.live, slots);
    extended(this.attribution, slots);
    for (const group of this.groups) group.grow(slots);
    this.slots = slots;
  }
}
