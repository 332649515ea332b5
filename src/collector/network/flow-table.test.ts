import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DecodedPacket, ipProtocol } from './decoded-packet.js';
import { flowKeyHash } from './flow-key-hash.js';
import { FlowStore } from './flow-store.js';
import { FlowTable } from './flow-table.js';

// Few addresses and ports, so that keys collide in the table and probe runs get long.
const connection = fc.record({
  client: fc.integer({ min: 1, max: 6 }),
  server: fc.integer({ min: 1, max: 3 }),
  clientPort: fc.integer({ min: 40_000, max: 40_060 }),
  serverPort: fc.constantFrom(443, 3389),
  tcp: fc.boolean(),
});
type Connection = typeof connection extends fc.Arbitrary<infer T> ? T : never;
const step = fc.record({ connection, remove: fc.boolean(), fromServer: fc.boolean() });

function packetOf(c: Connection, fromServer: boolean): DecodedPacket {
  const p = new DecodedPacket();
  const client = 0x0a000000 + c.client;
  const server = 0xc0a80000 + c.server;
  [p.src0, p.dst0] = fromServer ? [server, client] : [client, server];
  [p.srcPort, p.dstPort] = fromServer ? [c.serverPort, c.clientPort] : [c.clientPort, c.serverPort];
  p.protocol = c.tcp ? ipProtocol.tcp : ipProtocol.udp;
  return p;
}

const keyOf = (c: Connection) => JSON.stringify(c);

describe('flow table', () => {
  it('finds every connection from either side, before and after others are removed', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 3_000 }), (steps) => {
        const store = new FlowStore();
        const table = new FlowTable();
        const model = new Map<string, number>();
        for (const { connection: c, remove, fromServer } of steps) {
          const p = packetOf(c, fromServer);
          const found = table.find(p);
          assert.equal(found, model.get(keyOf(c)) ?? -1);
          if (found >= 0 && remove) {
            assert.ok(table.remove(found, flowKeyHash(store, found)));
            store.close(found);
            model.delete(keyOf(c));
          } else if (found < 0) {
            const slot = storeConnection(store, p);
            table.add(p, slot, true);
            model.set(keyOf(c), slot);
          }
          if (found >= 0) assert.equal(table.forward, store.origPort[found] === p.srcPort);
        }
        assert.equal(table.size, model.size);
        for (const [key, slot] of model)
          assert.equal(table.find(packetOf(JSON.parse(key), true)), slot);
      }),
      { numRuns: 60 },
    );
  });

  it('says so when asked to remove a connection it does not hold', () => {
    const store = new FlowStore();
    const table = new FlowTable();
    const p = packetOf(
      { client: 1, server: 1, clientPort: 40_000, serverPort: 443, tcp: true },
      false,
    );
    const slot = storeConnection(store, p);

    assert.equal(table.remove(slot, flowKeyHash(store, slot)), false);
  });
});

/** Opens a store slot for the packet's connection, its sender as originator. */
function storeConnection(store: FlowStore, p: DecodedPacket): number {
  const slot = store.open(0, 0);
  store.addresses[slot * 8] = p.src0;
  store.addresses[slot * 8 + 4] = p.dst0;
  store.origPort[slot] = p.srcPort;
  store.respPort[slot] = p.dstPort;
  store.protocol[slot] = p.protocol;
  store.ipVersion[slot] = 4;
  return slot;
}
