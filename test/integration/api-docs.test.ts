/**
 * The API's OpenAPI 3 description, served by a real hub: it names every API route the hub
 * serves, each with a summary and who may call it, and shows the routes' own body and query
 * schemas; the browsable page answers too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { documentedRoutes } from '../../src/hub/api-docs.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content: Record<string, { schema: { properties?: object } }> };
}
type OpenApi = { openapi: string; paths: Record<string, Record<string, Operation>> };

describe(`the API description at /api/docs (${storeKind} store)`, () => {
  let hub: TestHub;
  let document: OpenApi;

  before(async () => {
    hub = await startTestHub();
    const response = await fetch(`${hub.url}/api/docs/json`);
    assert.equal(response.status, 200);
    document = (await response.json()) as OpenApi;
  });
  after(async () => {
    await hub?.cleanup();
  });

  const operation = (method: string, url: string) =>
    document.paths[url.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];

  it('is OpenAPI 3 and describes exactly the API routes the hub serves', () => {
    assert.match(document.openapi, /^3\./);
    const served = hub.routes
      .filter((route) => route.url.startsWith('/api/v1/') || route.url === '/healthz')
      .concat(hub.routes.filter((route) => route.url === '/metrics'))
      .map((route) => `${route.method} ${route.url}`);
    assert.deepEqual([...served].sort(), [...documentedRoutes].sort());
    for (const key of served) {
      const [method, url] = key.split(' ') as [string, string];
      const described = operation(method, url);
      assert.ok(described?.summary, `${key} has a summary`);
      assert.ok(described?.tags?.length, `${key} has a tag`);
    }
  });

  it('says who may call a route and shows its query and body schemas', () => {
    const changeLog = operation('GET', '/api/v1/change-log')!;
    assert.match(changeLog.description ?? '', /administrator/);
    assert.ok(changeLog.security!.length > 0, 'needs a token or a session');
    const names = (changeLog.parameters ?? []).map((parameter) => parameter.name);
    for (const name of ['actor', 'action', 'from', 'to', 'before', 'limit'])
      assert.ok(names.includes(name), `the change log takes ${name}`);

    const tokens = operation('POST', '/api/v1/api-tokens')!;
    const body = tokens.requestBody?.content['application/json']?.schema;
    assert.ok(body?.properties && 'role' in body.properties, 'the body names its role');

    const signIn = operation('POST', '/api/v1/session')!;
    assert.deepEqual(signIn.security, []);
  });

  it('serves a page people can read the API in', async () => {
    const response = await fetch(`${hub.url}/api/docs/static/index.html`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /swagger-ui/i);
  });
});
