import type { Transport, TransportResponse } from './channel-client.js';
import { requestJson } from './http-request.js';

/** How long one request to a hub or collector may take before it counts as failed: 30 s. */
export const requestTimeoutMillis = 30_000;

/** A Transport over HTTP(S) to one base URL. */
export function httpTransport(baseUrl: string, timeoutMillis = requestTimeoutMillis): Transport {
  return {
    async post(path: string, body: unknown): Promise<TransportResponse> {
      const response = await requestJson(new URL(path, baseUrl), { body, timeoutMillis });
      let parsed: unknown = null;
      try {
        parsed = response.text ? JSON.parse(response.text) : null;
      } catch {
        parsed = { code: `http_${response.status}`, message: response.text.slice(0, 200) };
      }
      const retryAfter = Number(response.header('retry-after'));
      return {
        status: response.status,
        body: parsed,
        ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
      };
    },
  };
}
