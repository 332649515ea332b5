/** Calls the hub's API as a signed-in person, as the web UI does (session cookie, CSRF header). */
export function hubApi(hubUrl: string, cookie: string) {
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${hubUrl}${path}`, {
      method,
      headers: {
        cookie,
        'x-strata-request': '1',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
}
