import { ipv4Text, ipv6Text } from './address-format.js';
import {
  batchHeaderBytes,
  batchMagic,
  batchVersion,
  connStateCodes,
  endCodes,
  FlowBatchError,
  recordFlag,
  ruleCodes,
} from './flow-batch-format.js';
import type { FlowRecord, IntervalCounts, NanosStats } from './flow-record.js';

/** A batch read back: its id, when the collector closed it, and its records. */
export interface FlowBatch {
  batchId: string;
  createdAtMillis: number;
  records: FlowRecord[];
}

/** Reads a batch written by FlowBatchWriter; throws FlowBatchError on anything malformed. */
export function readFlowBatch(bytes: Buffer): FlowBatch {
  if (bytes.length < batchHeaderBytes || !bytes.subarray(0, 4).equals(batchMagic)) {
    throw new FlowBatchError('not a flow batch');
  }
  if (bytes[4] !== batchVersion) throw new FlowBatchError(`unknown batch version ${bytes[4]}`);
  const id = bytes.toString('hex', 8, 24);
  const count = bytes.readUInt32LE(32);
  const records: FlowRecord[] = [];
  let at = batchHeaderBytes;
  for (let i = 0; i < count; i++) {
    if (at + 2 > bytes.length) throw new FlowBatchError(`the batch ends before record ${i}`);
    const end = at + 2 + bytes.readUInt16LE(at);
    if (end > bytes.length) throw new FlowBatchError(`record ${i} runs past the batch`);
    records.push(new RecordReader(bytes.subarray(at + 2, end)).record());
    at = end;
  }
  if (at !== bytes.length) throw new FlowBatchError('bytes left over after the last record');
  return {
    batchId: uuidText(id),
    createdAtMillis: bytes.readDoubleLE(24),
    records,
  };
}

class RecordReader {
  private at = 0;

  constructor(private readonly bytes: Buffer) {}

  record(): FlowRecord {
    const flags = this.u8();
    const end = code(endCodes, this.u8(), 'end');
    const connState = code(connStateCodes, this.u8(), 'conn_state');
    const protocolRule = code(ruleCodes, this.u8(), 'protocol rule');
    const origPort = this.u16();
    const respPort = this.u16();
    const ipv6 = (flags & recordFlag.ipv6) !== 0;
    const origAddress = this.address(ipv6);
    const respAddress = this.address(ipv6);
    const record: FlowRecord = {
      transport: flags & recordFlag.tcp ? 'tcp' : 'udp',
      origAddress,
      origPort,
      respAddress,
      respPort,
      startSeconds: this.f64(),
      startNanos: this.u32(),
      intervalStartSeconds: this.f64(),
      intervalEndSeconds: this.f64(),
      end,
      connState,
      history: '',
      protocol: '',
      protocolRule,
      orig: this.counts(),
      resp: this.counts(),
    } as FlowRecord; // the rest follows in the order written
    if (flags & recordFlag.handshake) record.handshakeRttNanos = this.f64();
    record.ackRtt = this.stats();
    record.responseTime = { ...this.stats(), unanswered: this.u32() };
    if (flags & recordFlag.tag) {
      const machineNumber = this.u32();
      record.tag =
        flags & recordFlag.tagUser ? { machineNumber, userNumber: this.u32() } : { machineNumber };
    }
    record.protocol = this.text();
    record.history = this.text();
    if (flags & recordFlag.serverName) record.serverName = this.text();
    return record;
  }

  private counts(): IntervalCounts {
    return {
      packets: this.f64(),
      bytes: this.f64(),
      payloadBytes: this.f64(),
      retransmissions: this.u32(),
      outOfOrder: this.u32(),
      zeroWindows: this.u32(),
    };
  }

  private stats(): NanosStats {
    const count = this.u32();
    if (count === 0) return { count, sumNanos: 0, minNanos: 0, maxNanos: 0 };
    return { count, sumNanos: this.f64(), minNanos: this.f64(), maxNanos: this.f64() };
  }

  private address(ipv6: boolean): string {
    if (!ipv6) return ipv4Text(this.take(4).readUInt32BE(0));
    const raw = this.take(16);
    const words = [0, 4, 8, 12].map((offset) => raw.readUInt32BE(offset));
    return ipv6Text(words, 0);
  }

  private text(): string {
    return this.take(this.u8()).toString('utf8');
  }

  private take(length: number): Buffer {
    if (this.at + length > this.bytes.length) throw new FlowBatchError('a record is cut short');
    const part = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return part;
  }

  private u8 = () => this.take(1)[0]!;
  private u16 = () => this.take(2).readUInt16LE(0);
  private u32 = () => this.take(4).readUInt32LE(0);
  private f64 = () => this.take(8).readDoubleLE(0);
}

function code<T>(values: readonly T[], index: number, what: string): T {
  const value = values[index];
  if (value === undefined) throw new FlowBatchError(`unknown ${what} code ${index}`);
  return value;
}

function uuidText(hex: string): string {
  const parts = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20)];
  return [...parts, hex.slice(20)].join('-');
}
