import { sessionCall } from './test-hub.js';

/** Calls the hub's API as a signed-in person, as the web UI does, and reads the JSON answer. */
export function hubApi(hubUrl: string, cookie: string) {
  const call = sessionCall(hubUrl, cookie);
  return async (method: string, path: string, body?: unknown) => {
    const response = await call(method, path, body);
    // 204 carries no body.
    const parsed = response.status === 204 ? {} : await response.json();
    return { status: response.status, body: parsed as Record<string, any> };
  };
}
