/**
 * One HTTP(S) request with a JSON body, over node:http. Components use it rather than fetch:
 * fetch loads undici and compiles its WebAssembly HTTP parser, about 10 MB more resident
 * memory for the life of the process, a sixth of the agent's budget.
 */
import { request as plainRequest, type IncomingMessage } from 'node:http';
import { request as tlsRequest } from 'node:https';

/** Largest answer read: 16 MiB; hubs and collectors answer with a few KiB. */
const maxResponseBytes = 16 * 1_048_576;

export interface HttpResponse {
  status: number;
  /** The body as text (UTF-8). */
  text: string;
  /** A response header by lower-case name; undefined when absent. */
  header(name: string): string | undefined;
}

export interface HttpRequestOptions {
  /** Sent as JSON with POST; without it the request is a GET. */
  body?: unknown;
  /** The whole exchange, answer included, must end within this. */
  timeoutMillis: number;
}

/** Sends one request; rejects on a network error, a timeout or an oversized answer. */
export function requestJson(url: URL, options: HttpRequestOptions): Promise<HttpResponse> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const request = url.protocol === 'https:' ? tlsRequest : plainRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, {
      method: payload === undefined ? 'GET' : 'POST',
      headers: payload === undefined ? {} : { 'content-type': 'application/json' },
    });
    const timer = setTimeout(
      () =>
        outgoing.destroy(
          new Error(`no answer from ${url.origin} within ${options.timeoutMillis} ms`),
        ),
      options.timeoutMillis,
    );
    outgoing.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    outgoing.on('response', (response) => {
      readBody(response).then(
        (text) => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, text, header: headerOf(response) });
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error as Error);
          outgoing.destroy();
        },
      );
    });
    outgoing.end(payload);
  });
}

async function readBody(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > maxResponseBytes) throw new Error(`answer larger than ${maxResponseBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function headerOf(response: IncomingMessage) {
  return (name: string): string | undefined => {
    const value = response.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
}
