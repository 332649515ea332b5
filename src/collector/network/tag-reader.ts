import {
  maxTaggedDatagramsTried,
  type ConnectorTagDecoder,
  type TaggedPacketView,
} from './attribution.js';
import type { PacketRecord } from './capture-packet.js';
import { ipProtocol, tcpFlag, type DecodedPacket } from './decoded-packet.js';
import type { FlowStore } from './flow-store.js';

/**
 * Offers a connection's first SYN, or its first few datagrams, from the originator to the
 * Connector ID tag decoder, until one gives the connection its user and machine.
 */
export class TagReader {
  // Reused for every packet offered.
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

  constructor(private readonly decoder: ConnectorTagDecoder) {}

  /** Reads a packet the originator of the connection in `slot` sent. */
  read(store: FlowStore, slot: number, record: PacketRecord, p: DecodedPacket): void {
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
      if (store.sides.packets[slot * 2]! <= maxTaggedDatagramsTried)
        store.attribution[slot] = this.decoder.fromUdpDatagram(view);
    } else if ((p.tcpFlags & (tcpFlag.syn | tcpFlag.ack)) === tcpFlag.syn) {
      store.attribution[slot] = this.decoder.fromTcpSyn(view);
    }
  }
}
