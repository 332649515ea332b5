import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ConnectorTagDecoder } from '../../src/collector/network/attribution.js';
import { analyzeCaptureFile } from '../../src/collector/network/network-analysis.js';
import { localCaptureDir, sharedCaptureDir } from './capture-files.js';

describe('connection figures', () => {
  it('time each request to the first byte of its answer', async () => {
    const report = await analyzeCaptureFile(join(localCaptureDir, 'sll2-any.pcap'));
    const web = report.connections.find((c) => c.respPort === 8080)!;

    // The test server waits 3 ms before each answer; three requests were made.
    assert.equal(web.responseTime?.count, 3);
    assert.equal(web.responseTime?.exchanges.length, 3);
    assert.ok(web.responseTime!.minSeconds >= 0.003, `${web.responseTime!.minSeconds}`);
    assert.equal(web.responseTime?.unanswered, 0);
  });

  it('count bytes on the wire per second, even where the snap length cut the packets', async () => {
    const report = await analyzeCaptureFile(join(localCaptureDir, 'pcoip-cgp-snap96.pcap'));
    for (const c of report.connections) {
      assert.equal(
        c.perSecond.reduce((sum, s) => sum + s.origBytes, 0),
        c.orig.bytes,
      );
      assert.equal(
        c.perSecond.reduce((sum, s) => sum + s.respPackets, 0),
        c.resp.packets,
      );
    }
    const tcp = report.connections.find((c) => c.transport === 'tcp')!;
    assert.ok(tcp.orig.bytes > 2000, 'two 1,000-byte requests counted at their wire length');
  });

  it('name desktop protocols by payload where it says, else by port', async () => {
    const protocols = async (path: string) =>
      (await analyzeCaptureFile(path)).connections.map((c) => `${c.protocol}/${c.protocolRule}`);

    assert.deepEqual(await protocols(join(sharedCaptureDir, 'ndpi-citrix.pcap')), [
      'citrix-ica/payload',
    ]);
    assert.deepEqual(await protocols(join(sharedCaptureDir, 'ndpi-rdp.pcap')), ['rdp/payload']);
    assert.deepEqual(await protocols(join(localCaptureDir, 'vlan-veth.pcap')), [
      'citrix-ica/port',
      'citrix-cgp/port',
      'pcoip/port',
    ]);
    assert.deepEqual(await protocols(join(localCaptureDir, 'ipv6-loopback-nano.pcap')), [
      'vmware-blast/port',
      'rdp/port',
      'citrix-ica/port',
    ]);
  });

  it('read the server name from a TLS ClientHello', async () => {
    const report = await analyzeCaptureFile(join(sharedCaptureDir, 'ndpi-teams.pcap'));
    const names = report.connections.map((c) => c.serverName).filter(Boolean);

    assert.ok(names.includes('teams.microsoft.com'));
  });

  it('attribute by Connector ID tag first, then by the machine last at the address', async () => {
    const tagDecoder: ConnectorTagDecoder = {
      fromTcpSyn: (packet) =>
        packet.tcpHeaderLength >= 20 ? { machineId: 7, userId: 9, source: 'tag' } : undefined,
      fromUdpDatagram: () => undefined,
    };
    const addressDirectory = {
      machineAt: (address: string) => ({
        machineId: address === '127.0.0.1' ? 3 : 0,
        source: 'address' as const,
      }),
    };

    const report = await analyzeCaptureFile(join(localCaptureDir, 'sll2-any.pcap'), {
      tagDecoder,
      addressDirectory,
    });

    assert.deepEqual(
      report.connections.map((c) => c.attribution),
      [
        { machineId: 7, userId: 9, source: 'tag' },
        { machineId: 7, userId: 9, source: 'tag' },
        { machineId: 3, source: 'address' },
      ],
    );
  });
});
