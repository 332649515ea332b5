import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { requestJson } from './http-request.js';

describe('one HTTP request with a JSON body', () => {
  let server: Server;
  let base: string;

  before(async () => {
    server = createServer((request, response) => {
      if (request.url === '/echo') {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        request.on('end', () => {
          response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '7' });
          response.end(JSON.stringify({ method: request.method, body: JSON.parse(body) }));
        });
      } else if (request.url === '/huge') {
        response.end(Buffer.alloc(17 * 1_048_576, 0x61));
      } else if (request.url === '/ca') {
        response.end(JSON.stringify({ method: request.method }));
      }
      // Any other path never answers.
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('posts the body as JSON and returns status, text and headers', async () => {
    const response = await requestJson(new URL('/echo', base), {
      body: { callbackId: 'a', values: [1, 2] },
      timeoutMillis: 5_000,
    });
    assert.equal(response.status, 503);
    assert.deepEqual(JSON.parse(response.text), {
      method: 'POST',
      body: { callbackId: 'a', values: [1, 2] },
    });
    assert.equal(response.header('retry-after'), '7');
    assert.equal(response.header('x-absent'), undefined);
  });

  it('sends a GET when there is no body', async () => {
    const response = await requestJson(new URL('/ca', base), { timeoutMillis: 5_000 });
    assert.deepEqual(JSON.parse(response.text), { method: 'GET' });
  });

  it('fails a request that gets no answer within its time', async () => {
    await assert.rejects(
      requestJson(new URL('/silent', base), { timeoutMillis: 200 }),
      /no answer from .* within 200 ms/,
    );
  });

  it('refuses an answer larger than 16 MiB', async () => {
    await assert.rejects(
      requestJson(new URL('/huge', base), { timeoutMillis: 5_000 }),
      /answer larger than/,
    );
  });

  it('fails at once when nobody listens', async () => {
    await assert.rejects(requestJson(new URL('http://127.0.0.1:1/'), { timeoutMillis: 5_000 }), {
      code: 'ECONNREFUSED',
    });
  });
});
