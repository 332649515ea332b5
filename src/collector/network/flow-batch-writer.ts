import { randomUUID } from 'node:crypto';
import { isIPv4 } from 'node:net';
import {
  batchHeaderBytes,
  batchMagic,
  batchVersion,
  connStateCodes,
  endCodes,
  maxTextBytes,
  recordFlag,
  ruleCodes,
} from './flow-batch-format.js';
import type { FlowRecord, IntervalCounts, NanosStats } from './flow-record.js';

const initialBytes = 64 * 1024;
// Enough for any record: fixed fields, two IPv6 addresses and three full text fields.
const maxRecordBytes = 1024;

/** Builds one batch of flow records in the binary form of flow-batch-format.ts. */
export class FlowBatchWriter {
  /** Chosen here; the hub stores a batch id once, so a batch sent twice is stored once. */
  readonly batchId = randomUUID();
  records = 0;
  private buffer = Buffer.allocUnsafe(initialBytes);
  // Numbers go through a DataView: V8 compiles its accessors inline, Buffer's write methods not.
  private view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length);
  private at = batchHeaderBytes;

  /** Bytes written so far, header included. */
  get bytes(): number {
    return this.at;
  }

  add(record: FlowRecord): void {
    if (this.at + maxRecordBytes > this.buffer.length) {
      const larger = Buffer.allocUnsafe(this.buffer.length * 2);
      this.buffer.copy(larger, 0, 0, this.at);
      this.buffer = larger;
      this.view = new DataView(larger.buffer, larger.byteOffset, larger.length);
    }
    const lengthAt = this.at;
    this.at += 2;
    this.body(record);
    this.buffer.writeUInt16LE(this.at - lengthAt - 2, lengthAt);
    this.records++;
  }

  /** The finished batch; `createdAtMillis` is when it was closed. */
  finish(createdAtMillis: number): Buffer {
    const b = this.buffer;
    batchMagic.copy(b, 0);
    b.writeUInt32LE(batchVersion, 4); // version byte, then three zero bytes
    Buffer.from(this.batchId.replaceAll('-', ''), 'hex').copy(b, 8);
    b.writeDoubleLE(createdAtMillis, 24);
    b.writeUInt32LE(this.records, 32);
    return Buffer.from(b.subarray(0, this.at));
  }

  private body(r: FlowRecord): void {
    const ipv6 = !isIPv4(r.origAddress);
    let flags = (r.transport === 'tcp' ? recordFlag.tcp : 0) | (ipv6 ? recordFlag.ipv6 : 0);
    if (r.handshakeRttNanos !== undefined) flags |= recordFlag.handshake;
    if (r.tag) flags |= recordFlag.tag | (r.tag.userNumber !== undefined ? recordFlag.tagUser : 0);
    if (r.serverName !== undefined) flags |= recordFlag.serverName;
    this.u8(flags);
    this.u8(endCodes.indexOf(r.end));
    this.u8(connStateCodes.indexOf(r.connState));
    this.u8(ruleCodes.indexOf(r.protocolRule));
    this.u16(r.origPort);
    this.u16(r.respPort);
    this.address(r.origAddress, ipv6);
    this.address(r.respAddress, ipv6);
    this.f64(r.startSeconds);
    this.u32(r.startNanos);
    this.f64(r.intervalStartSeconds);
    this.f64(r.intervalEndSeconds);
    this.counts(r.orig);
    this.counts(r.resp);
    if (r.handshakeRttNanos !== undefined) this.f64(r.handshakeRttNanos);
    this.stats(r.ackRtt);
    this.stats(r.responseTime);
    this.u32(r.responseTime.unanswered);
    if (r.tag) this.u32(r.tag.machineNumber);
    if (r.tag?.userNumber !== undefined) this.u32(r.tag.userNumber);
    this.text(r.protocol);
    this.text(r.history);
    if (r.serverName !== undefined) this.text(r.serverName);
  }

  private counts(c: IntervalCounts): void {
    this.f64(c.packets);
    this.f64(c.bytes);
    this.f64(c.payloadBytes);
    this.u32(c.retransmissions);
    this.u32(c.outOfOrder);
    this.u32(c.zeroWindows);
  }

  private stats(s: NanosStats): void {
    this.u32(s.count);
    if (s.count === 0) return;
    this.f64(s.sumNanos);
    this.f64(s.minNanos);
    this.f64(s.maxNanos);
  }

  private address(text: string, ipv6: boolean): void {
    if (ipv6) {
      for (const group of expandIpv6(text)) this.u16be(group);
      return;
    }
    let octet = 0;
    for (let i = 0; i < text.length; i++) {
      const digit = text.charCodeAt(i) - 48; // '0'
      if (digit >= 0 && digit <= 9) {
        octet = octet * 10 + digit;
      } else {
        this.u8(octet);
        octet = 0;
      }
    }
    this.u8(octet);
  }

  private text(value: string): void {
    const length = this.buffer.write(value, this.at + 1, maxTextBytes, 'utf8');
    this.u8(length);
    this.at += length;
  }

  private u8(value: number): void {
    this.buffer[this.at++] = value;
  }
  private u16(value: number): void {
    this.view.setUint16(this.at, value, true);
    this.at += 2;
  }
  private u16be(value: number): void {
    this.view.setUint16(this.at, value, false);
    this.at += 2;
  }
  private u32(value: number): void {
    this.view.setUint32(this.at, value, true);
    this.at += 4;
  }
  private f64(value: number): void {
    this.view.setFloat64(this.at, value, true);
    this.at += 8;
  }
}

/** The eight 16-bit groups of an IPv6 address in text form. */
function expandIpv6(text: string): number[] {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => parseInt(group, 16));
}
