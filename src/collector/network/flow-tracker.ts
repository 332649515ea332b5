import type { ConnectorTagDecoder } from './attribution.js';
import type { PacketRecord, PacketSink, SkipReason } from './capture-packet.js';
import { ConnectionEnds, type ConnectionEndSink, type IntervalSink } from './connection-ends.js';
import { ConnectionLookup } from './connection-lookup.js';
import { DecodedPacket, ipProtocol } from './decoded-packet.js';
import { FlowStore } from './flow-store.js';
import { FlowTable } from './flow-table.js';
import { defaultIdleTimeouts, type IdleTimeouts } from './idle-timeouts.js';
import { decodePacket } from './packet-decoder.js';
import { maxPayloadsInspected } from './payload-facts.js';
import { TagReader } from './tag-reader.js';
import { trackTcpSegment } from './tcp-segment-tracking.js';

/** Packets more than this far from their connection's first packet are counted, not measured. */
// 100 days: nanoseconds from a connection's base second stay exact integers in a double.
export const maxConnectionSpanSeconds = 100 * 86_400;
const defaultIntervalSeconds = 60;

export interface FlowTrackerOptions {
  tagDecoder?: ConnectorTagDecoder;
  /** Keep every ack round trip per connection (for comparisons with tshark); default false. */
  keepAckRttSamples?: boolean;
  /**
   * Receives each connection when it ends: idle past its timeout, replaced by a new connection
   * on its ports, or open at `finish`. Its slot is then reused, so memory stays bounded however
   * long the capture runs. Without a sink every connection is kept until the caller reads them.
   */
  onConnectionEnd?: ConnectionEndSink;
  /** Idle timeouts by state, when connections are handed on (defaults in idle-timeouts.ts). */
  idleTimeouts?: Partial<IdleTimeouts>;
  /** With `onConnectionEnd`: called at every `intervalSeconds` boundary of capture time. */
  onInterval?: IntervalSink;
  /** Default 60: a record a minute for each open connection. */
  intervalSeconds?: number;
}

/**
 * Turns packets into connections. Each connection counts time in nanoseconds from the whole
 * second of its first packet (`FlowStore.baseSeconds`), so that differences are exact integers
 * even in files that join captures years apart; every time comes from the packets, never from
 * this machine's clock.
 */
export class FlowTracker implements PacketSink {
  readonly store = new FlowStore();
  readonly skipped: Partial<Record<SkipReason, number>> = {};
  packetsSeen = 0;
  packetsAnalysed = 0;
  /** Every ack round trip of each connection, by connection number, when asked to keep them. */
  readonly ackRttSamples: number[][] | undefined;

  private readonly lookup = new ConnectionLookup(this.store, new FlowTable());
  private readonly decoded = new DecodedPacket();
  private readonly tags: TagReader | undefined;
  private readonly ends: ConnectionEnds | undefined;

  constructor(options: FlowTrackerOptions = {}) {
    if (options.keepAckRttSamples) this.ackRttSamples = [];
    if (options.tagDecoder) this.tags = new TagReader(options.tagDecoder);
    if (options.onConnectionEnd) {
      const timeouts = { ...defaultIdleTimeouts, ...options.idleTimeouts };
      const { store, lookup } = this;
      const interval = options.onInterval && {
        seconds: options.intervalSeconds ?? defaultIntervalSeconds,
        sink: options.onInterval,
      };
      const end = options.onConnectionEnd;
      this.ends = new ConnectionEnds(store, lookup.table, timeouts, end, interval);
    }
  }

  packet(record: PacketRecord): void {
    this.packetsSeen++;
    const p = this.decoded;
    if (!decodePacket(record, p)) return this.skip(p.skip!);
    const store = this.store;
    const ends = this.ends;
    if (ends !== undefined && record.timeSeconds > ends.clockSeconds)
      ends.advanceTo(record.timeSeconds);
    const tcp = p.protocol === ipProtocol.tcp;
    const slot = tcp ? this.lookup.tcp(p, record) : this.lookup.udp(p, record);
    const side = this.lookup.table.forward ? 0 : 1;
    if (ends !== undefined && tcp && this.lookup.replacedSlot >= 0)
      ends.replace(this.lookup.replacedSlot);
    const offsetSeconds = record.timeSeconds - store.baseSeconds[slot]!;
    if (offsetSeconds > maxConnectionSpanSeconds || offsetSeconds < -maxConnectionSpanSeconds) {
      return this.skip('timestamp_out_of_range');
    }
    const timeNanos = offsetSeconds * 1e9 + record.timeNanos;
    p.timeNanos = timeNanos;
    this.packetsAnalysed++;

    const sent = slot * 2 + side;
    const counters = store.sides;
    counters.packets[sent]!++;
    counters.wireBytes[sent]! += p.wireLength;
    counters.payloadBytes[sent]! += p.payloadLength;
    store.buckets.add(slot, side, offsetSeconds, p.wireLength);
    if (timeNanos > store.lastNanos[slot]!) store.lastNanos[slot] = timeNanos;

    const newData = tcp ? trackTcpSegment(store, slot, side, p, this.samplesOf(slot)) : true;
    if (p.payloadLength > 0 && newData) store.response.payload(slot, side === 0, p);
    if (p.payloadCaptured > 0 && store.payload.inspected[slot]! < maxPayloadsInspected) {
      const start = p.payloadOffset;
      store.payload.inspect(slot, side === 0, record.data, start, start + p.payloadCaptured);
    }
    if (side === 0 && this.tags !== undefined && store.attribution[slot] === undefined)
      this.tags.read(store, slot, record, p);
  }

  skip(reason: SkipReason): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
  }

  /**
   * Moves the clock without a packet (a live capture that went quiet), ending connections idle
   * since; only when connections are handed on.
   */
  advanceTo(epochSeconds: number): void {
    this.ends?.advanceTo(epochSeconds);
  }

  /**
   * Ends the analysis: requests still waiting for an answer are counted as unanswered, and with
   * a sink every open connection is handed to it.
   */
  finish(): void {
    if (this.ends !== undefined) return this.ends.endAll();
    for (const slot of this.store.liveSlots()) this.store.response.finish(slot);
  }

  private samplesOf(slot: number): number[] | undefined {
    if (this.ackRttSamples === undefined) return undefined;
    return (this.ackRttSamples[this.store.serial[slot]!] ??= []);
  }
}
