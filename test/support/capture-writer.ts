// Writes pcap and pcapng files in either byte order, so that tests can re-encode real captures
// in the forms this machine's tools do not write (big-endian, nanosecond pcapng, several
// interfaces) and check that the readers give back exactly what went in.

export interface WrittenPacket {
  bytes: Uint8Array;
  wireLength: number;
  timeSeconds: number;
  timeNanos: number;
  interfaceIndex: number;
}

export interface WrittenInterface {
  linkType: number;
  snapLength: number;
  /** if_tsresol byte; default 6 (microseconds). */
  resolution?: number;
}

class ByteSink {
  private readonly parts: Buffer[] = [];
  constructor(private readonly bigEndian: boolean) {}
  u16(value: number) {
    const b = Buffer.alloc(2);
    this.bigEndian ? b.writeUInt16BE(value) : b.writeUInt16LE(value);
    this.parts.push(b);
  }
  u32(value: number) {
    const b = Buffer.alloc(4);
    this.bigEndian ? b.writeUInt32BE(value >>> 0) : b.writeUInt32LE(value >>> 0);
    this.parts.push(b);
  }
  bytes(value: Uint8Array) {
    this.parts.push(Buffer.from(value));
  }
  padTo4(length: number) {
    this.parts.push(Buffer.alloc((4 - (length % 4)) % 4));
  }
  result(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export function writePcap(
  packets: WrittenPacket[],
  options: { linkType: number; bigEndian: boolean; nanos: boolean; snapLength?: number },
): Buffer {
  const out = new ByteSink(options.bigEndian);
  out.u32(options.nanos ? 0xa1b23c4d : 0xa1b2c3d4);
  out.u16(2);
  out.u16(4);
  out.u32(0);
  out.u32(0);
  out.u32(options.snapLength ?? 262_144);
  out.u32(options.linkType);
  for (const packet of packets) {
    out.u32(packet.timeSeconds);
    out.u32(options.nanos ? packet.timeNanos : Math.floor(packet.timeNanos / 1000));
    out.u32(packet.bytes.length);
    out.u32(packet.wireLength);
    out.bytes(packet.bytes);
  }
  return out.result();
}

export function writePcapng(
  packets: WrittenPacket[],
  options: { interfaces: WrittenInterface[]; bigEndian: boolean },
): Buffer {
  const blocks = new ByteSink(options.bigEndian);
  const block = (type: number, body: (sink: ByteSink) => void) => {
    const inner = new ByteSink(options.bigEndian);
    body(inner);
    const content = inner.result();
    blocks.u32(type);
    blocks.u32(content.length + 12);
    blocks.bytes(content);
    blocks.u32(content.length + 12);
  };
  block(0x0a0d0d0a, (s) => {
    s.u32(0x1a2b3c4d);
    s.u16(1);
    s.u16(0);
    s.u32(0xffffffff);
    s.u32(0xffffffff);
    // An option this reader has no use for, to show options are skipped safely.
    s.u16(4);
    s.u16(5);
    s.bytes(Buffer.from('tests'));
    s.padTo4(5);
    s.u16(0);
    s.u16(0);
  });
  for (const described of options.interfaces) {
    block(1, (s) => {
      s.u16(described.linkType);
      s.u16(0);
      s.u32(described.snapLength);
      s.u16(2);
      s.u16(3);
      s.bytes(Buffer.from('if0'));
      s.padTo4(3);
      s.u16(9);
      s.u16(1);
      s.bytes(Buffer.from([described.resolution ?? 6]));
      s.padTo4(1);
      s.u16(0);
      s.u16(0);
    });
  }
  for (const packet of packets) {
    const resolution = options.interfaces[packet.interfaceIndex]?.resolution ?? 6;
    const perSecond = 10n ** BigInt(resolution);
    const units =
      BigInt(packet.timeSeconds) * perSecond +
      (BigInt(packet.timeNanos) * perSecond) / 1_000_000_000n;
    block(6, (s) => {
      s.u32(packet.interfaceIndex);
      s.u32(Number(units >> 32n));
      s.u32(Number(units & 0xffffffffn));
      s.u32(packet.bytes.length);
      s.u32(packet.wireLength);
      s.bytes(packet.bytes);
      s.padTo4(packet.bytes.length);
    });
  }
  return blocks.result();
}
