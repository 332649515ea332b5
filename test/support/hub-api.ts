import { sessionCall } from './test-hub.js';

/** Calls the hub's API as a signed-in person and reads the JSON answer. */
export function hubApi(hubUrl: string, cookie: string) {
  const call = sessionCall(hubUrl, cookie);
  return async (method: string, path: string, body?: unknown) => {
    const response = await call(method, path, body);
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
}
