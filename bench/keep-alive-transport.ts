/**
 * A channel transport over node:http with kept-alive connections, for the load generator:
 * many simulated agents share a few sockets, as agents behind one proxy would.
 */
import { Agent, request } from 'node:http';
import type { Transport, TransportResponse } from '../src/protocol/channel-client.js';

export function keepAliveTransport(baseUrl: string, sockets: number): Transport {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const base = new URL(baseUrl);
  return {
    post(path: string, body: unknown): Promise<TransportResponse> {
      const payload = Buffer.from(JSON.stringify(body));
      return new Promise((resolve, reject) => {
        const outgoing = request(
          {
            agent,
            host: base.hostname,
            port: base.port,
            path,
            method: 'POST',
            headers: { 'content-type': 'application/json', 'content-length': payload.length },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              const retryAfter = Number(response.headers['retry-after']);
              resolve({
                status: response.statusCode ?? 0,
                body: text ? JSON.parse(text) : null,
                ...(retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
              });
            });
          },
        );
        outgoing.on('error', reject);
        outgoing.end(payload);
      });
    },
  };
}
