import { bigEndianFields, littleEndianFields, type FieldReader } from './byte-order.js';
import { newPacketRecord, type PacketSink } from './capture-packet.js';
import { fileMagic, maxPacketBytes, type CaptureFormatParser } from './capture-format.js';

const fileHeaderBytes = 24;
const recordHeaderBytes = 16;
// The modified format from some Linux distributions adds interface, protocol and type fields.
const modifiedRecordHeaderBytes = 24;
// A snap length in the header may allow records larger than the usual limit, but never this.
const maxRecordBytesCeiling = 16 * 1024 * 1024;
const nanosPerSecond = 1_000_000_000;

/** Reads the classic pcap format: micro- or nanosecond times, either byte order. */
export class PcapParser implements CaptureFormatParser {
  readonly format: string;
  bytesWanted = 0;
  stopMessage: string | undefined;

  private readonly fields: FieldReader;
  private readonly nanosPerUnit: number;
  private readonly headerBytes: number;
  private readonly record = newPacketRecord();
  private maxRecordBytes = maxPacketBytes;
  private headerRead = false;

  constructor(magicBigEndian: number) {
    const nano =
      magicBigEndian === fileMagic.pcapNano || magicBigEndian === fileMagic.pcapNanoSwapped;
    const modified =
      magicBigEndian === fileMagic.pcapModified || magicBigEndian === fileMagic.pcapModifiedSwapped;
    const bigEndian =
      magicBigEndian === fileMagic.pcapMicro ||
      magicBigEndian === fileMagic.pcapNano ||
      magicBigEndian === fileMagic.pcapModified;
    this.fields = bigEndian ? bigEndianFields : littleEndianFields;
    this.nanosPerUnit = nano ? 1 : 1000;
    this.headerBytes = modified ? modifiedRecordHeaderBytes : recordHeaderBytes;
    const resolution = nano ? 'nanosecond' : 'microsecond';
    this.format = `pcap (${resolution}, ${bigEndian ? 'big' : 'little'}-endian)`;
  }

  parse(data: Uint8Array, start: number, end: number, sink: PacketSink): number {
    let at = start;
    if (!this.headerRead) {
      if (end - at < fileHeaderBytes) return this.want(at, fileHeaderBytes);
      this.readFileHeader(data, at);
      at += fileHeaderBytes;
    }
    const { fields, record, headerBytes, nanosPerUnit } = this;
    record.data = data;
    for (;;) {
      if (end - at < headerBytes) return this.want(at, headerBytes);
      const capturedLength = fields.u32(data, at + 8);
      if (capturedLength > this.maxRecordBytes) {
        // Without a trustworthy length there is no way to find the next record.
        sink.skip('bad_record_length');
        const limit = this.maxRecordBytes;
        this.stopMessage = `a record claims ${capturedLength} captured bytes, more than ${limit}`;
        return at;
      }
      if (end - at < headerBytes + capturedLength)
        return this.want(at, headerBytes + capturedLength);
      const fraction = fields.u32(data, at + 4) * nanosPerUnit;
      if (fraction >= nanosPerSecond) {
        sink.skip('bad_timestamp');
      } else {
        record.timeSeconds = fields.u32(data, at);
        record.timeNanos = fraction;
        record.capturedLength = capturedLength;
        record.wireLength = Math.max(fields.u32(data, at + 12), capturedLength);
        record.offset = at + headerBytes;
        sink.packet(record);
      }
      at += headerBytes + capturedLength;
    }
  }

  private readFileHeader(data: Uint8Array, at: number): void {
    const snapLength = this.fields.u32(data, at + 16);
    // The top bits of the link type field carry FCS information, not the type.
    this.record.linkType = this.fields.u32(data, at + 20) & 0xffff;
    this.maxRecordBytes = Math.min(Math.max(snapLength, maxPacketBytes), maxRecordBytesCeiling);
    this.headerRead = true;
  }

  private want(at: number, bytes: number): number {
    this.bytesWanted = bytes;
    return at;
  }
}
