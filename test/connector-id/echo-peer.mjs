// Both ends of the namespace test's traffic, in plain JavaScript so that throw-away users can
// run it without the project's tooling.
//   server HOST TCP_PORT UDP_PORT: echoes TCP and UDP; one JSON line per payload it received.
//   client HOST TCP_PORT UDP_PORT CONNECTIONS: sends random payloads over TCP connections and
//   UDP datagrams; one JSON line per exchange with what it sent and what came back.
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';

const [mode, host, tcpPort, udpPort, count] = process.argv.slice(2);
const say = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

if (mode === 'server') {
  createServer((socket) => {
    const parts = [];
    socket.on('data', (chunk) => parts.push(chunk));
    socket.on('end', () => {
      const payload = Buffer.concat(parts);
      say({ transport: 'tcp', port: socket.remotePort, hex: payload.toString('hex') });
      socket.end(payload);
    });
  }).listen(Number(tcpPort), host);
  const udp = createSocket('udp4');
  udp.on('message', (payload, from) => {
    say({ transport: 'udp', port: from.port, hex: payload.toString('hex') });
    udp.send(payload, from.port, from.address);
  });
  udp.bind(Number(udpPort), host, () => say({ ready: true }));
} else {
  for (let i = 0; i < Number(count); i++) {
    const sent = randomBytes(1_000 + i);
    const result = await new Promise((resolve, reject) => {
      let port;
      const socket = connect({ host, port: Number(tcpPort) }, () => {
        port = socket.localPort; // gone once the socket closes
        socket.end(sent);
      });
      const parts = [];
      socket.on('data', (chunk) => parts.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve({ port, echoed: Buffer.concat(parts) }));
    });
    say({
      transport: 'tcp',
      port: result.port,
      sent: sent.toString('hex'),
      echoed: result.echoed.toString('hex'),
    });
  }
  const udp = createSocket('udp4');
  await new Promise((resolve) => udp.bind(0, resolve));
  for (let i = 0; i < 4; i++) {
    const sent = randomBytes(200 + i);
    const echoed = await new Promise((resolve) => {
      udp.once('message', resolve);
      udp.send(sent, Number(udpPort), host);
    });
    say({
      transport: 'udp',
      port: udp.address().port,
      sent: sent.toString('hex'),
      echoed: echoed.toString('hex'),
    });
  }
  udp.close();
}
