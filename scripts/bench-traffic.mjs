// Load for the capture benchmark: one server and many clients over the loopback, until
// stopped. Long connections exchange small messages back and forth without pause; short ones
// connect, exchange three messages and close, over and over. The traffic is real; the payloads
// are made up.
//
//   node scripts/bench-traffic.mjs PORT LONG_CONNECTIONS SHORT_CONCURRENCY
import { createConnection, createServer } from 'node:net';

const [port, longCount, shortConcurrency] = process.argv.slice(2).map(Number);
const host = '127.0.0.1';
const request = Buffer.alloc(120, 0x71);
const answer = Buffer.alloc(400, 0x41);
let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
  setTimeout(() => process.exit(0), 500);
});

const server = createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  socket.on('data', () => socket.write(answer));
  socket.on('end', () => socket.end());
});
server.listen(port, host, () => {
  for (let i = 0; i < longCount; i++) converse(Number.POSITIVE_INFINITY);
  for (let i = 0; i < shortConcurrency; i++) converse(3);
});

function converse(exchanges) {
  if (stopping) return;
  const socket = createConnection({ host, port });
  socket.setNoDelay(true);
  let answered = 0;
  socket.on('error', () => {});
  socket.on('connect', () => socket.write(request));
  socket.on('data', () => {
    if (++answered >= exchanges || stopping) socket.end();
    else socket.write(request);
  });
  socket.on('close', () => converse(exchanges));
}
