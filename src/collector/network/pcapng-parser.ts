import { bigEndianFields, littleEndianFields, u32be, type FieldReader } from './byte-order.js';
import { newPacketRecord, type PacketSink } from './capture-packet.js';
import type { CaptureFormatParser } from './capture-format.js';
import { readInterfaceBlock, type PcapngInterface } from './pcapng-interface.js';

const blockType = {
  section: 0x0a0d0d0a,
  interface: 1,
  obsoletePacket: 2,
  simplePacket: 3,
  enhancedPacket: 6,
} as const;
const byteOrderMagic = 0x1a2b3c4d;
const minBlockBytes = 12;
// Far above any real block; a larger claim is damage, and trusting it would stall the reader.
const maxBlockBytes = 64 * 1024 * 1024;

/** Reads pcapng: every section and interface, each with its own link type and clock. */
export class PcapngParser implements CaptureFormatParser {
  format = 'pcapng';
  bytesWanted = 0;
  stopMessage: string | undefined;

  private fields: FieldReader = littleEndianFields;
  private interfaces: PcapngInterface[] = [];
  private readonly record = newPacketRecord();

  parse(data: Uint8Array, start: number, end: number, sink: PacketSink): number {
    let at = start;
    for (;;) {
      if (end - at < minBlockBytes) return this.want(at, minBlockBytes);
      const type = this.fields.u32(data, at);
      if (u32be(data, at) === blockType.section && !this.readByteOrder(data, at)) {
        return this.stop(at, sink, 'a section header has no valid byte-order magic');
      }
      const total = this.fields.u32(data, at + 4);
      if (total < minBlockBytes || total % 4 !== 0 || total > maxBlockBytes) {
        return this.stop(at, sink, `a block claims a length of ${total} bytes`);
      }
      if (end - at < total) return this.want(at, total);
      if (this.fields.u32(data, at + total - 4) !== total) {
        return this.stop(at, sink, 'a block ends with a length that differs from its start');
      }
      this.readBlock(type, data, at, total, sink);
      at += total;
    }
  }

  private readBlock(type: number, data: Uint8Array, at: number, total: number, sink: PacketSink) {
    const bodyEnd = at + total - 4;
    if (type === blockType.section) {
      // A new section starts with no interfaces; its packets name only its own.
      this.interfaces = [];
    } else if (type === blockType.interface) {
      if (total >= 20) this.interfaces.push(readInterfaceBlock(data, at + 8, bodyEnd, this.fields));
      else sink.skip('bad_block');
    } else if (type === blockType.enhancedPacket || type === blockType.obsoletePacket) {
      this.readPacketBlock(type, data, at, bodyEnd, sink);
    } else if (type === blockType.simplePacket) {
      this.readSimplePacket(data, at, bodyEnd, sink);
    }
    // Every other block (names, statistics, secrets, custom) says nothing about traffic.
  }

  private readPacketBlock(
    type: number,
    data: Uint8Array,
    at: number,
    end: number,
    sink: PacketSink,
  ) {
    const { fields, record } = this;
    if (end - at < 28) return sink.skip('bad_block');
    const interfaceId =
      type === blockType.enhancedPacket ? fields.u32(data, at + 8) : fields.u16(data, at + 8);
    const captured = fields.u32(data, at + 20);
    if (captured > end - (at + 28)) return sink.skip('bad_record_length');
    const described = this.interfaces[interfaceId];
    if (!described) return sink.skip('unknown_interface');
    described.units.convert(fields.u32(data, at + 12), fields.u32(data, at + 16), record);
    this.emit(described, interfaceId, data, at + 28, captured, fields.u32(data, at + 24), sink);
  }

  private readSimplePacket(data: Uint8Array, at: number, end: number, sink: PacketSink) {
    const described = this.interfaces[0];
    if (end - at < 12) return sink.skip('bad_block');
    if (!described) return sink.skip('unknown_interface');
    const wire = this.fields.u32(data, at + 8);
    let captured = Math.min(wire, end - (at + 12));
    if (described.snapLength > 0) captured = Math.min(captured, described.snapLength);
    // A simple packet carries no time of its own: it keeps the time of the packet before it.
    this.emit(described, 0, data, at + 12, captured, wire, sink);
  }

  private emit(
    described: PcapngInterface,
    interfaceId: number,
    data: Uint8Array,
    offset: number,
    captured: number,
    wire: number,
    sink: PacketSink,
  ) {
    const record = this.record;
    record.data = data;
    record.offset = offset;
    record.capturedLength = captured;
    record.wireLength = Math.max(wire, captured);
    record.linkType = described.linkType;
    record.interfaceIndex = interfaceId;
    sink.packet(record);
  }

  private readByteOrder(data: Uint8Array, at: number): boolean {
    const magic = u32be(data, at + 8);
    if (magic === byteOrderMagic) this.fields = bigEndianFields;
    else if (littleEndianFields.u32(data, at + 8) === byteOrderMagic)
      this.fields = littleEndianFields;
    else return false;
    this.format = `pcapng (${this.fields === bigEndianFields ? 'big' : 'little'}-endian)`;
    return true;
  }

  private stop(at: number, sink: PacketSink, message: string): number {
    sink.skip('bad_block');
    this.stopMessage = message;
    return at;
  }

  private want(at: number, bytes: number): number {
    this.bytesWanted = bytes;
    return at;
  }
}
