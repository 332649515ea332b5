import type { Transport, TransportResponse } from './channel-client.js';

/** How long one request to a hub or collector may take before it counts as failed: 30 s. */
export const requestTimeoutMillis = 30_000;

/** A Transport over HTTP(S) to one base URL, using Node's fetch. */
export function httpTransport(baseUrl: string, timeoutMillis = requestTimeoutMillis): Transport {
  return {
    async post(path: string, body: unknown): Promise<TransportResponse> {
      const response = await fetch(new URL(path, baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMillis),
      });
      const text = await response.text();
      let parsed: unknown = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = { code: `http_${response.status}`, message: text.slice(0, 200) };
      }
      const retryAfter = Number(response.headers.get('retry-after'));
      return {
        status: response.status,
        body: parsed,
        ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
      };
    },
  };
}
