import {
  maxTaggedDatagramsTried,
  type ConnectorTagDecoder,
  type TaggedPacketView,
} from './attribution.js';
import type { PacketRecord, PacketSink, SkipReason } from './capture-packet.js';
import { DecodedPacket, ipProtocol, tcpFlag } from './decoded-packet.js';
import { Flow } from './flow.js';
import { FlowTable } from './flow-table.js';
import { decodePacket } from './packet-decoder.js';
import { inspectPayload, maxPayloadsInspected } from './protocol-classifier.js';
import { trackTcpSegment } from './tcp-segment-tracking.js';

/** Packets more than this far from their connection's first packet are counted, not measured. */
export const maxConnectionSpanSeconds = 100 * 86_400; // 100 days: nanoseconds stay exact in a double

export interface FlowTrackerOptions {
  tagDecoder?: ConnectorTagDecoder;
  /** Keep every ack round trip per connection (for comparisons with tshark); default false. */
  keepAckRttSamples?: boolean;
}

/**
 * Turns packets into connections. Each connection counts time in nanoseconds from the whole
 * second of its first packet (`Flow.baseSeconds`), so that differences are exact integers even
 * in files that join captures years apart; every time comes from the packets, never from this
 * machine's clock.
 */
export class FlowTracker implements PacketSink {
  readonly flows: Flow[] = [];
  readonly skipped: Partial<Record<SkipReason, number>> = {};
  packetsSeen = 0;
  packetsAnalysed = 0;

  private readonly table = new FlowTable();
  private readonly decoded = new DecodedPacket();
  private readonly view: TaggedPacketView = {
    data: new Uint8Array(0),
    transportOffset: 0,
    capturedEnd: 0,
    tcpHeaderLength: 0,
    payloadOffset: 0,
    payloadLength: 0,
    payloadCaptured: 0,
    timeSeconds: 0,
  };

  constructor(private readonly options: FlowTrackerOptions = {}) {}

  packet(record: PacketRecord): void {
    this.packetsSeen++;
    const p = this.decoded;
    if (!decodePacket(record, p)) return this.skip(p.skip!);
    const flow = p.protocol === ipProtocol.tcp ? this.tcpFlow(p, record) : this.udpFlow(p, record);
    const side = this.table.forward ? 0 : 1;
    const offsetSeconds = record.timeSeconds - flow.baseSeconds;
    if (offsetSeconds > maxConnectionSpanSeconds || offsetSeconds < -maxConnectionSpanSeconds) {
      return this.skip('timestamp_out_of_range');
    }
    const timeNanos = offsetSeconds * 1e9 + record.timeNanos;
    this.packetsAnalysed++;

    const sent = flow.sides[side];
    sent.packets++;
    sent.wireBytes += p.wireLength;
    sent.payloadBytes += p.payloadLength;
    flow.buckets.add(side, timeNanos, p.wireLength);
    if (timeNanos > flow.lastTimeNanos) flow.lastTimeNanos = timeNanos;

    const newData =
      p.protocol === ipProtocol.tcp ? trackTcpSegment(flow, side, p, timeNanos) : true;
    if (p.payloadLength > 0 && newData) flow.response.payload(side === 0, timeNanos);
    if (p.payloadCaptured > 0 && flow.payloadsInspected < maxPayloadsInspected) {
      inspectPayload(
        flow,
        side === 0,
        record.data,
        p.payloadOffset,
        p.payloadOffset + p.payloadCaptured,
      );
    }
    if (side === 0 && this.options.tagDecoder && flow.attribution === undefined)
      this.readTag(flow, record, p);
  }

  skip(reason: SkipReason): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
  }

  /** Ends the analysis: requests still waiting for an answer are counted as unanswered. */
  finish(): void {
    for (const flow of this.flows) flow.response.finish();
  }

  private tcpFlow(p: DecodedPacket, record: PacketRecord): Flow {
    const id = this.table.find(p);
    const pureSyn = (p.tcpFlags & (tcpFlag.syn | tcpFlag.ack)) === tcpFlag.syn;
    if (id >= 0) {
      const flow = this.flows[id]!;
      const sequence = flow.sides[this.table.forward ? 0 : 1].sequence;
      if (!pureSyn || !sequence.baseSeqKnown) return flow;
      if (p.seq === sequence.baseSeq) {
        // The same SYN again: resume from the highest point acknowledged without a gap.
        sequence.nextSeq = sequence.maxSeqToBeAcked;
        return flow;
      }
      // A SYN with a new initial sequence number: the ports are reused by a new connection.
      const next = this.newFlow(p, record, true);
      next.reusedPorts = true;
      this.table.replace(p, next.id, true);
      return next;
    }
    // A SYN-ACK seen first is the responder speaking: its receiver originated the connection.
    const senderIsOriginator =
      (p.tcpFlags & (tcpFlag.syn | tcpFlag.ack)) !== (tcpFlag.syn | tcpFlag.ack);
    const flow = this.newFlow(p, record, senderIsOriginator);
    this.table.add(p, flow.id, senderIsOriginator);
    return flow;
  }

  private udpFlow(p: DecodedPacket, record: PacketRecord): Flow {
    const id = this.table.find(p);
    if (id >= 0) return this.flows[id]!;
    const flow = this.newFlow(p, record, true);
    this.table.add(p, flow.id, true);
    return flow;
  }

  private newFlow(p: DecodedPacket, record: PacketRecord, senderIsOriginator: boolean): Flow {
    const words = new Uint32Array(8);
    const [sender, receiver] = senderIsOriginator ? [0, 4] : [4, 0];
    words[sender] = p.src0;
    words[sender + 1] = p.src1;
    words[sender + 2] = p.src2;
    words[sender + 3] = p.src3;
    words[receiver] = p.dst0;
    words[receiver + 1] = p.dst1;
    words[receiver + 2] = p.dst2;
    words[receiver + 3] = p.dst3;
    const [origPort, respPort] = senderIsOriginator
      ? [p.srcPort, p.dstPort]
      : [p.dstPort, p.srcPort];
    const flow = new Flow(
      this.flows.length,
      p.protocol,
      p.ipVersion,
      words,
      origPort,
      respPort,
      record,
    );
    if (this.options.keepAckRttSamples) flow.ackRttSamples = [];
    this.flows.push(flow);
    return flow;
  }

  private readTag(flow: Flow, record: PacketRecord, p: DecodedPacket): void {
    const decoder = this.options.tagDecoder!;
    const view = this.view;
    view.data = record.data;
    view.transportOffset = p.transportOffset;
    view.capturedEnd = record.offset + record.capturedLength;
    view.tcpHeaderLength = p.protocol === ipProtocol.tcp ? p.tcpHeaderLength : 0;
    view.payloadOffset = p.payloadOffset;
    view.payloadLength = p.payloadLength;
    view.payloadCaptured = p.payloadCaptured;
    view.timeSeconds = record.timeSeconds;
    if (p.protocol === ipProtocol.udp) {
      if (flow.sides[0].packets <= maxTaggedDatagramsTried)
        flow.attribution = decoder.fromUdpDatagram(view);
    } else if ((p.tcpFlags & (tcpFlag.syn | tcpFlag.ack)) === tcpFlag.syn) {
      flow.attribution = decoder.fromTcpSyn(view);
    }
  }
}
