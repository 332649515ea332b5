// Real TCP and UDP traffic between this machine's own stacks, for the captures that
// make-test-captures.sh and the capture benchmark record. The payloads are made up; the
// handshakes, acknowledgements, timing and teardown are the kernel's.
//
//   node scripts/test-traffic.mjs serve tcp|udp|tcp-reset HOST PORT [SECONDS]
//   node scripts/test-traffic.mjs client tcp|udp HOST PORT [EXCHANGES] [REQUEST_BYTES]
import { createSocket } from 'node:dgram';
import { createConnection, createServer } from 'node:net';

const [role, kind, host, portText, countText, sizeText] = process.argv.slice(2);
const port = Number(portText);
const replyDelayMillis = 3; // a server that thinks a little, so response time is not zero
const replyBytes = 300;

if (role === 'serve') serve(kind, Number(countText ?? 20));
else if (role === 'client') client(kind, Number(countText ?? 3), Number(sizeText ?? 120));
else throw new Error('usage: test-traffic.mjs serve|client tcp|udp|tcp-reset HOST PORT');

function serve(kind, seconds) {
  setTimeout(() => process.exit(0), seconds * 1000).unref();
  if (kind === 'udp') {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.on('message', (message, from) => {
      setTimeout(
        () => socket.send(Buffer.alloc(replyBytes, 0x55), from.port, from.address),
        replyDelayMillis,
      );
    });
    socket.bind(port, host, () => console.log('ready'));
    return;
  }
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.on('data', () => {
      // A server that aborts: the client sees a reset instead of an answer.
      if (kind === 'tcp-reset') return socket.resetAndDestroy();
      setTimeout(() => socket.write(Buffer.alloc(replyBytes, 0x41)), replyDelayMillis);
    });
    socket.on('end', () => socket.end());
  });
  server.listen(port, host, () => console.log('ready'));
}

function client(kind, exchanges, requestBytes) {
  const request = Buffer.alloc(requestBytes, 0x71);
  if (kind === 'udp') {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    let answered = 0;
    socket.on('message', () => (++answered === exchanges ? socket.close() : send()));
    const send = () => socket.send(request, port, host);
    setTimeout(() => socket.close(), 2000).unref();
    return send();
  }
  const socket = createConnection({ host, port });
  let answered = 0;
  socket.on('error', (error) => console.log(`client ${host}:${port}: ${error.code}`));
  socket.on('connect', () => socket.write(request));
  socket.on('data', () => (++answered === exchanges ? socket.end() : socket.write(request)));
}
