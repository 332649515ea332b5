import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tcpPacket, udpPacket, type PacketSpec } from '../../../test/support/connector-packets.js';
import { deriveMachineKey } from '../../protocol/connector-id/machine-keys.js';
import { TagWriter } from '../../protocol/connector-id/tag-writer.js';
import { silentLogger } from '../../shared/logger.js';
import { InterfaceMtus } from './interface-mtus.js';
import type { NfqueueAddon } from './nfqueue-addon.js';
import { TagService } from './tag-service.js';

const spec: PacketSpec = {
  ipVersion: 4,
  source: [0xc6120001],
  destination: [0xc6120002],
  sourcePort: 40_001,
  destinationPort: 53,
};

/** A queue that hands the test's packets to the service, as the addon would. */
function fakeQueue() {
  let onPacket: ((p: Buffer, l: number, uid: number, out: number) => number) | undefined;
  const addon: NfqueueAddon = {
    openQueue: (_number, callback) => (onPacket = callback),
    closeQueue: () => (onPacket = undefined),
  };
  return { addon, send: (p: Buffer, l: number, uid: number) => onPacket!(p, l, uid, 2) };
}

function service(queue: ReturnType<typeof fakeQueue>, mtuBytes = 1500) {
  const writer = new TagWriter({
    machineNumber: 9,
    keyId: 0,
    machineKey: deriveMachineKey(Buffer.alloc(32), 0, 9),
  });
  const mtus = { of: () => mtuBytes } as unknown as InterfaceMtus;
  const users = new Map([[1000, 501]]);
  const s = new TagService({
    addon: queue.addon,
    queueNumber: 1,
    writer,
    userNumberOf: (uid) => users.get(uid) ?? 0,
    log: silentLogger(),
    mtus,
  });
  s.start();
  return s;
}

test('SYNs and datagrams of local sockets come back tagged, with their new length', () => {
  const queue = fakeQueue();
  const s = service(queue);
  const syn = tcpPacket(spec, 77);
  assert.equal(queue.send(syn.packet, syn.length, 1000), syn.length + 16);
  const datagram = udpPacket(spec, Buffer.from('query'));
  assert.equal(queue.send(datagram.packet, datagram.length, 1000), datagram.length + 22);
  assert.deepEqual(s.counts, { tagged: 2, untagged: {} });
});

test('packets without a socket owner, too big or malformed pass unchanged and are counted', () => {
  const queue = fakeQueue();
  const s = service(queue, 100);
  const syn = tcpPacket(spec, 77);
  assert.equal(queue.send(syn.packet, syn.length, -1), 0);
  const big = udpPacket(spec, Buffer.alloc(80));
  assert.equal(queue.send(big.packet, big.length, 1000), 0);
  assert.equal(queue.send(Buffer.alloc(10), 10, 1000), 0);
  assert.deepEqual(s.counts.untagged, { no_socket_owner: 1, over_mtu: 1, truncated: 1 });
  s.stop();
});
