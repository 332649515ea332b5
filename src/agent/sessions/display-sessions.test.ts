import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';

import {
  addTestComponent,
  createTestStore,
  storeKind,
  type TestStore,
} from '../../../test/support/test-store.js';
import { storeCallbacks } from '../../intake/store-callbacks.js';
import { checkCallback } from '../../protocol/callback-validator.js';
import { collectMachineSample } from '../machine-sample.js';
import { parseSsSessions, readDisplaySessions } from './display-sessions.js';

// What `ss -H -t -i -n -p state established` printed for an RDP client on IPv6 (mapped IPv4)
// and a Citrix one, with a socket on another port between them.
const ssOutput = [
  '0      0      [::ffff:10.1.2.3]:3389 [::ffff:10.9.8.7]:50712 users:(("xrdp",pid=812,fd=11))',
  '\t cubic wscale:7,7 rto:212 rtt:11.25/3.5 ato:40 mss:1448 cwnd:10 bytes_sent:90210 ' +
    'bytes_retrans:2896 bytes_acked:87314 bytes_received:4410 segs_out:80 segs_in:61 ' +
    'retrans:0/2 delivery_rate 10296888bps minrtt:9.8',
  '0      0      10.1.2.3:22 10.9.8.7:50000 users:(("sshd",pid=99,fd=4))',
  '\t cubic rtt:1/0.5 bytes_acked:10 bytes_received:20',
  '0      0      [fe80::1%eth0]:1494 [fe80::2%eth0]:61000',
  '\t cubic rtt:0.5/0.25 bytes_acked:1 bytes_received:2',
].join('\n');

describe('display sessions from the kernel', () => {
  it('reads protocol, client, owner and figures from ss output', () => {
    const [rdp, ica, ...rest] = parseSsSessions(ssOutput);
    assert.equal(rest.length, 0, 'port 22 is not a display protocol');
    assert.deepEqual(rdp, {
      ...{ protocol: 'rdp', transport: 'tcp', serverPort: 3389, clientAddress: '10.9.8.7' },
      ...{ clientPort: 50712, process: 'xrdp', pid: 812, rttMillis: 11.25 },
      ...{ rttVariationMillis: 3.5, minRttMillis: 9.8, bytesSent: 87314, bytesReceived: 4410 },
      ...{ retransmittedSegments: 2, deliveryRateBitsPerSecond: 10296888 },
    });
    assert.equal(ica?.protocol, 'ica');
    assert.equal(ica?.clientAddress, 'fe80::2');
    assert.equal(ica?.process, '');
    assert.equal(ica?.pid, null);
  });
});

describe(`an RDP session to this machine, sampled and stored (${storeKind} store)`, () => {
  let server: Server;
  let client: Socket;
  let test: TestStore;
  const clientBytes = 5_000;
  const serverBytes = 20_000;

  before(async () => {
    test = await createTestStore();
    server = createServer((socket) => socket.on('data', () => undefined).write('x'.repeat(20_000)));
    server.listen(3389, '127.0.0.1');
    await once(server, 'listening');
    client = createConnection(3389, '127.0.0.1');
    client.on('data', () => undefined);
    await once(client, 'connect');
    client.write('y'.repeat(clientBytes));
    await new Promise((resolve) => setTimeout(resolve, 200));
  });
  after(async () => {
    client?.destroy();
    server?.close();
    await test?.cleanup();
  });

  it('names this process, the client port and the bytes each way', async () => {
    const sessions = await readDisplaySessions();
    const mine = sessions.find((s) => s.clientPort === client.localPort);
    assert.ok(mine, JSON.stringify(sessions));
    assert.equal(mine.protocol, 'rdp');
    assert.equal(mine.clientAddress, '127.0.0.1');
    assert.equal(mine.pid, process.pid);
    assert.ok(mine.rttMillis !== null && mine.rttMillis > 0);
    assert.equal(mine.bytesReceived, clientBytes);
    assert.equal(mine.bytesSent, serverBytes);
  });

  it('goes out in the sample and lands in the store as a time series row', async () => {
    const sample = await collectMachineSample({ maxProcesses: 10 });
    const callback = {
      ...sample,
      schema: 'strata.callback.v1' as const,
      callbackId: randomUUID(),
      agentVersion: '0.0.0-test',
    };
    assert.deepEqual(checkCallback(callback), { ok: true, callback });
    const agentId = await addTestComponent(test.store, 'agent');
    await storeCallbacks(test.store, [{ agentId, callback }]);
    const rows = await test.store.query<{ protocol: string; bytes_received: number }>(
      'SELECT protocol, bytes_received FROM display_session_samples WHERE client_port = $1',
      [client.localPort!],
    );
    assert.deepEqual(rows, [{ protocol: 'rdp', bytes_received: clientBytes }]);
  });
});
