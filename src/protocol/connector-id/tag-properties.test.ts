import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  collectorView,
  linuxSynOptions,
  tcpPacket,
  udpPacket,
  type PacketSpec,
} from '../../../test/support/connector-packets.js';
import { deriveMachineKey } from './machine-keys.js';
import { readSynTag, readUdpTag, TagReading } from './tag-reader.js';
import { TagVerifier } from './tag-verifier.js';
import { TagWriter } from './tag-writer.js';

const secret = Buffer.alloc(32, 0x5a);
const verifier = new TagVerifier({ siteSecrets: new Map([[1, secret]]) });

const word = fc.integer({ min: 0, max: 0xffffffff });
const case_ = fc.record({
  tcp: fc.boolean(),
  ipVersion: fc.constantFrom(4 as const, 6 as const),
  source: fc.array(word, { minLength: 4, maxLength: 4 }),
  destination: fc.array(word, { minLength: 4, maxLength: 4 }),
  sourcePort: fc.integer({ min: 1, max: 0xffff }),
  destinationPort: fc.integer({ min: 1, max: 0xffff }),
  seq: word,
  payload: fc.uint8Array({ maxLength: 64 }),
  userNumber: fc.integer({ min: 0, max: 0xffffff }),
  machineNumber: fc.integer({ min: 1, max: 0xffffff }),
  sourceUnbound: fc.boolean(),
  timeSeconds: fc.integer({ min: 0, max: 2 ** 32 }),
});
type Case = typeof case_ extends fc.Arbitrary<infer T> ? T : never;

/** Builds the packet of a case and tags it; returns it with the offsets of the tag's bits. */
function tagged(c: Case) {
  const spec: PacketSpec = { ...c, source: [...c.source], destination: [...c.destination] };
  if (spec.ipVersion === 4) spec.source[1] = spec.destination[1] = 0;
  const writer = new TagWriter({
    machineNumber: c.machineNumber,
    keyId: 1,
    machineKey: deriveMachineKey(secret, 1, c.machineNumber),
    sourceUnbound: c.sourceUnbound,
  });
  const built = c.tcp
    ? tcpPacket(spec, c.seq, linuxSynOptions, c.payload)
    : udpPacket(spec, c.payload);
  const result = c.tcp
    ? writer.tagTcpSyn(built.packet, built.length, c.userNumber, c.timeSeconds)
    : writer.tagUdpDatagram(built.packet, built.length, c.userNumber, c.timeSeconds);
  assert.equal(result.status, 'tagged');
  const length = result.status === 'tagged' ? result.length : 0;
  return { packet: built.packet, length };
}

function verify(c: Case, packet: Uint8Array, length: number) {
  const view = collectorView(packet, length, c.timeSeconds);
  return c.tcp ? verifier.fromTcpSyn(view) : verifier.fromUdpDatagram(view);
}

test('decoding an encoded tag gives back the numbers, key, flag and time', () => {
  fc.assert(
    fc.property(case_, (c) => {
      const { packet, length } = tagged(c);
      const reading = new TagReading();
      const view = collectorView(packet, length, c.timeSeconds);
      assert.equal((c.tcp ? readSynTag : readUdpTag)(view, reading), 'tag');
      const input = reading.input;
      assert.equal(input.userNumber, c.userNumber);
      assert.equal(input.machineNumber, c.machineNumber);
      assert.equal(input.header & 0x0f, 1);
      assert.equal((input.header & 0x10) !== 0, c.sourceUnbound);
      assert.equal(input.time16, c.timeSeconds & 0xffff);
      if (c.tcp) assert.equal(input.nonce, c.seq);
      const attribution = verify(c, packet, length);
      assert.equal(attribution?.machineId, c.machineNumber);
      assert.equal(attribution?.userId, c.userNumber === 0 ? undefined : c.userNumber);
    }),
    { numRuns: 500 },
  );
});

test('changing any single bit of the tag or of what it covers fails verification', () => {
  fc.assert(
    fc.property(case_, fc.nat(), (c, pick) => {
      const { packet, length } = tagged(c);
      const bits = coveredBits(c, packet, length);
      const bit = bits[pick % bits.length]!;
      packet[bit >> 3]! ^= 0x80 >> (bit & 7);
      assert.equal(verify(c, packet, length), undefined, `bit ${bit} of ${length * 8}`);
    }),
    { numRuns: 2000 },
  );
});

/** Bit offsets of the tag itself and of every packet field its MAC covers. */
function coveredBits(c: Case, packet: Uint8Array, length: number): number[] {
  const v4 = c.ipVersion === 4;
  const t = v4 ? 20 : 40;
  const ranges: [number, number][] = [];
  const addressBytes = v4 ? 4 : 16;
  const destination = v4 ? 16 : 24;
  ranges.push([destination, destination + addressBytes], [t + 2, t + 4]);
  if (!c.sourceUnbound) ranges.push([destination - addressBytes, destination], [t, t + 2]);
  if (c.tcp) {
    ranges.push([t + 4, t + 12]); // sequence (the nonce) and acknowledgement (MAC) numbers
    const optionAt = t + 20 + linuxSynOptions.length;
    ranges.push([optionAt, optionAt + 16]);
  } else {
    ranges.push([length - 22, length]);
  }
  return ranges.flatMap(([from, to]) =>
    Array.from({ length: (to - from) * 8 }, (_, i) => from * 8 + i),
  );
}
