import type { PacketRecord } from './capture-packet.js';
import { tcpFlag, type DecodedPacket } from './decoded-packet.js';
import type { FlowStore } from './flow-store.js';
import type { FlowTable } from './flow-table.js';

/**
 * Connections by their addresses and ports: finds the slot of a packet's connection or opens
 * one, and after it `table.forward` says whether the packet comes from the originator.
 */
export class ConnectionLookup {
  /** Set when the last TCP lookup started a new connection over an old one; else -1. */
  replacedSlot = -1;

  constructor(
    private readonly store: FlowStore,
    readonly table: FlowTable,
  ) {}

  /** The slot of a TCP segment's connection. */
  tcp(p: DecodedPacket, record: PacketRecord): number {
    const { store, table } = this;
    const slot = table.find(p);
    const pureSyn = (p.tcpFlags & (tcpFlag.syn | tcpFlag.ack)) === tcpFlag.syn;
    this.replacedSlot = -1;
    if (slot >= 0) {
      const side = slot * 2 + (table.forward ? 0 : 1);
      const sequence = store.sequence;
      if (!pureSyn || sequence.baseSeqKnown[side] === 0) return slot;
      if (p.seq === sequence.baseSeq[side]) {
        // The same SYN again: resume from the highest point acknowledged without a gap.
        sequence.nextSeq[side] = sequence.maxSeqToBeAcked[side]!;
        return slot;
      }
      // A SYN with a new initial sequence number: the ports are reused by a new connection.
      const next = this.open(p, record, true);
      store.reusedPorts[next] = 1;
      table.replace(p, next, true);
      this.replacedSlot = slot;
      return next;
    }
    // A SYN-ACK seen first is the responder speaking: its receiver originated the connection.
    const senderIsOriginator =
      (p.tcpFlags & (tcpFlag.syn | tcpFlag.ack)) !== (tcpFlag.syn | tcpFlag.ack);
    const opened = this.open(p, record, senderIsOriginator);
    table.add(p, opened, senderIsOriginator);
    return opened;
  }

  /** The slot of a UDP datagram's connection; its first sender is the originator. */
  udp(p: DecodedPacket, record: PacketRecord): number {
    const slot = this.table.find(p);
    if (slot >= 0) return slot;
    const opened = this.open(p, record, true);
    this.table.add(p, opened, true);
    return opened;
  }

  private open(p: DecodedPacket, record: PacketRecord, senderIsOriginator: boolean): number {
    const store = this.store;
    const slot = store.open(record.timeSeconds, record.timeNanos);
    const words = store.addresses;
    const sender = slot * 8 + (senderIsOriginator ? 0 : 4);
    const receiver = slot * 8 + (senderIsOriginator ? 4 : 0);
    words[sender] = p.src0;
    words[sender + 1] = p.src1;
    words[sender + 2] = p.src2;
    words[sender + 3] = p.src3;
    words[receiver] = p.dst0;
    words[receiver + 1] = p.dst1;
    words[receiver + 2] = p.dst2;
    words[receiver + 3] = p.dst3;
    store.origPort[slot] = senderIsOriginator ? p.srcPort : p.dstPort;
    store.respPort[slot] = senderIsOriginator ? p.dstPort : p.srcPort;
    store.protocol[slot] = p.protocol;
    store.ipVersion[slot] = p.ipVersion;
    return slot;
  }
}
