import { sessionFetch } from './test-hub.js';

/** Calls the hub's API as a signed-in person, as the web UI does (session cookie, CSRF header). */
export function hubApi(hubUrl: string, cookie: string) {
  return async (method: string, path: string, body?: unknown) => {
    const response = await sessionFetch(hubUrl, cookie, method, path, body);
    // 204 carries no body.
    const parsed = response.status === 204 ? {} : await response.json();
    return { status: response.status, body: parsed as Record<string, any> };
  };
}
