import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writePcap, writePcapng } from '../support/capture-writer.js';
import { localCaptureDir, readAll, sharedCaptureDir, temporaryCapture } from './capture-files.js';

describe('capture file readers', () => {
  it('read a pcapng whose two interfaces have different link types and snap lengths', async () => {
    const { packets, summary } = await readAll(join(localCaptureDir, 'two-interfaces.pcapng'));

    assert.equal(summary.format, 'pcapng (little-endian)');
    assert.equal(summary.stopMessage, undefined);
    assert.deepEqual(
      new Set(packets.map((p) => `${p.interfaceIndex}:${p.linkType}`)),
      new Set(['0:276', '1:1']),
    );
    const snapped = packets.filter((p) => p.interfaceIndex === 1);
    assert.ok(snapped.every((p) => p.bytes.length <= 96));
    assert.ok(
      snapped.some((p) => p.wireLength > p.bytes.length),
      'the wire length survives the snap length',
    );
  });

  it('read nanosecond pcap times exactly', async () => {
    const { packets, summary } = await readAll(join(localCaptureDir, 'ipv6-loopback-nano.pcap'));

    assert.equal(summary.format, 'pcap (nanosecond, little-endian)');
    assert.ok(
      packets.some((p) => p.timeNanos % 1000 !== 0),
      'sub-microsecond digits are kept',
    );
  });

  for (const bigEndian of [false, true]) {
    const order = bigEndian ? 'big' : 'little';

    it(`give back every packet of a real capture re-encoded as ${order}-endian pcap`, async () => {
      const original = await readAll(join(sharedCaptureDir, 'sanders-http_espn.pcapng'));
      for (const nanos of [false, true]) {
        const path = temporaryCapture(
          'copy.pcap',
          writePcap(original.packets, { linkType: 1, bigEndian, nanos }),
        );

        const copy = await readAll(path, { chunkBytes: 4096 });

        assert.equal(
          copy.summary.format,
          `pcap (${nanos ? 'nanosecond' : 'microsecond'}, ${order}-endian)`,
        );
        assert.deepEqual(copy.packets, original.packets);
      }
    });

    it(`give back every packet re-encoded as ${order}-endian two-interface pcapng`, async () => {
      const original = await readAll(join(localCaptureDir, 'two-interfaces.pcapng'));
      const interfaces = [
        { linkType: 276, snapLength: 262_144, resolution: 9 },
        { linkType: 1, snapLength: 96, resolution: 6 },
      ];
      const path = temporaryCapture(
        'copy.pcapng',
        writePcapng(original.packets, { interfaces, bigEndian }),
      );

      const copy = await readAll(path, { chunkBytes: 512 });

      assert.equal(copy.summary.format, `pcapng (${order}-endian)`);
      assert.deepEqual(copy.packets, original.packets);
    });
  }

  it('count a file cut off inside a record and say so', async () => {
    const whole = readFileSync(join(sharedCaptureDir, 'sanders-tcp_handshake.pcapng'));
    const path = temporaryCapture('cut.pcapng', whole.subarray(0, whole.length - 10));

    const { packets, skipped, summary } = await readAll(path);

    assert.equal(packets.length, 2);
    assert.equal(skipped.truncated_file, 1);
    assert.match(summary.stopMessage ?? '', /ends inside a record/);
  });

  it('stop at a record that claims an impossible length, keeping what came before', async () => {
    const whole = Buffer.from(readFileSync(join(sharedCaptureDir, 'zeek-tcp-syn-then-rst.pcap')));
    const secondRecord = 24 + 16 + whole.readUInt32LE(24 + 8);
    whole.writeUInt32LE(0x7fffffff, secondRecord + 8);

    const { packets, skipped, summary } = await readAll(temporaryCapture('lying.pcap', whole));

    assert.equal(packets.length, 1);
    assert.equal(skipped.bad_record_length, 1);
    assert.match(summary.stopMessage ?? '', /claims 2147483647 captured bytes/);
  });

  it('name a file that is not a capture instead of reading it', async () => {
    const { packets, summary } = await readAll(
      temporaryCapture('notes.txt', Buffer.from('hello, world\n')),
    );

    assert.equal(packets.length, 0);
    assert.equal(summary.format, 'unknown');
    assert.match(summary.stopMessage ?? '', /not a pcap or pcapng file/);
  });

  it('skip packets that name an interface the section never described', async () => {
    const { packets } = await readAll(join(sharedCaptureDir, 'sanders-tcp_handshake.pcapng'));
    const moved = packets.map((p, index) => ({ ...p, interfaceIndex: index === 1 ? 5 : 0 }));
    const bytes = writePcapng(moved, {
      interfaces: [{ linkType: 1, snapLength: 0 }],
      bigEndian: false,
    });

    const copy = await readAll(temporaryCapture('ghost.pcapng', bytes));

    assert.equal(copy.packets.length, 2);
    assert.equal(copy.skipped.unknown_interface, 1);
  });
});
