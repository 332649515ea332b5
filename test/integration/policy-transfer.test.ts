/**
 * Policies and groups exported to a signed file and imported again: a round trip on one site
 * puts back what was changed since, another site takes the file only when its administrator
 * names the signer, and an altered file changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { consoleOperations } from '../../src/hub/console-operations.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

interface Policy {
  id: string;
  name: string;
  version: number;
  settings: Record<string, unknown>;
}

describe(`policy export and import (${storeKind} store)`, () => {
  let site: TestHub;
  let other: TestHub;
  const cookies = new Map<TestHub, string>();

  before(async () => {
    site = await startTestHub();
    other = await startTestHub();
    for (const hub of [site, other]) cookies.set(hub, await hub.signInAsAdmin());
  });
  after(async () => {
    await site?.cleanup();
    await other?.cleanup();
  });

  const api = async (hub: TestHub, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${hub.url}${path}`, {
      method,
      headers: {
        cookie: cookies.get(hub)!,
        'x-strata-request': '1',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, any> };
  };
  const policyNamed = async (hub: TestHub, name: string) =>
    ((await api(hub, 'GET', '/api/v1/policies')).body.policies as Policy[]).find(
      (policy) => policy.name === name,
    );
  const groupNames = async (hub: TestHub) =>
    ((await api(hub, 'GET', '/api/v1/groups')).body.groups as Array<{ name: string }>)
      .map((group) => group.name)
      .sort();

  let exported: Record<string, any>;

  it('exports every policy and group, signed by the site CA', async () => {
    const created = await api(site, 'POST', '/api/v1/policies', {
      name: 'Call centre',
      kind: 'agent',
      settings: { callbackIntervalSeconds: 300, thresholds: { logonDurationMillis: 30_000 } },
    });
    await api(site, 'POST', '/api/v1/groups', {
      name: 'Call centre desks',
      kind: 'agent',
      policyId: created.body.id,
      rule: { namePattern: 'cc-*', subnet: '10.40.0.0/16' },
    });

    const response = await api(site, 'GET', '/api/v1/policies/export');
    assert.equal(response.status, 200);
    exported = response.body;
    assert.equal(exported.format, 'strata.policies.v1');
    const content = JSON.parse(exported.content as string) as {
      policies: Array<{ name: string }>;
      groups: Array<{ name: string; policyName: string }>;
    };
    assert.deepEqual(content.policies.map((policy) => policy.name).sort(), [
      'Call centre',
      'Default agent policy',
      'Default collector policy',
    ]);
    assert.deepEqual(content.groups, [
      {
        name: 'Call centre desks',
        kind: 'agent',
        policyName: 'Call centre',
        priority: 100,
        rule: { namePattern: 'cc-*', subnet: '10.40.0.0/16' },
        members: [],
      },
    ]);
  });

  it('puts back on its own site what was changed since the export', async () => {
    const callCentre = (await policyNamed(site, 'Call centre'))!;
    await api(site, 'PUT', `/api/v1/policies/${callCentre.id}`, {
      settings: { callbackIntervalSeconds: 60 },
    });
    const groups = (await api(site, 'GET', '/api/v1/groups')).body.groups as Array<{ id: string }>;
    await api(site, 'DELETE', `/api/v1/groups/${groups[0]!.id}`);

    const imported = await api(site, 'POST', '/api/v1/policies/import', exported);

    assert.equal(imported.status, 200);
    assert.deepEqual(imported.body.policies, { created: 0, changed: 1, unchanged: 2 });
    assert.deepEqual(imported.body.groups, { created: 1, changed: 0, unchanged: 0 });
    const restored = (await policyNamed(site, 'Call centre'))!;
    assert.deepEqual(restored.settings, {
      callbackIntervalSeconds: 300,
      thresholds: { logonDurationMillis: 30_000 },
    });
    assert.equal(restored.version, 3, 'the import is a new version, history kept');
    assert.deepEqual(await groupNames(site), ['Call centre desks']);
  });

  it('changes nothing from a file whose content was altered after signing', async () => {
    const content = JSON.parse(exported.content as string);
    content.policies.find((p: { name: string }) => p.name === 'Call centre').settings = {
      callbackIntervalSeconds: 10,
    };
    const altered = { ...exported, content: JSON.stringify(content) };
    const before = (await policyNamed(site, 'Call centre'))!;

    const refused = await api(site, 'POST', '/api/v1/policies/import', altered);

    assert.equal(refused.status, 400);
    assert.equal(refused.body.code, 'import_refused');
    assert.match(refused.body.message as string, /altered/);
    assert.deepEqual(await policyNamed(site, 'Call centre'), before);
  });

  it('is refused by another site until its administrator names the signer', async () => {
    const refused = await api(other, 'POST', '/api/v1/policies/import', exported);
    assert.equal(refused.status, 400);
    const pin = site.context.identity.caPin;
    assert.ok((refused.body.message as string).includes(pin), 'the refusal names the signer');
    assert.equal(await policyNamed(other, 'Call centre'), undefined);

    const accepted = await api(
      other,
      'POST',
      `/api/v1/policies/import?acceptSigner=${pin}`,
      exported,
    );
    assert.equal(accepted.status, 200);
    assert.equal(accepted.body.signer, pin);
    assert.equal((await policyNamed(other, 'Call centre'))!.settings.callbackIntervalSeconds, 300);
    assert.deepEqual(await groupNames(other), ['Call centre desks']);
  });

  it('exports and imports from the console as well, with the site CA key', async () => {
    const console = consoleOperations(
      site.context.store,
      site.context.identity.caPin,
      site.context.identity.caKeys.privateKeyPem,
    );
    const file = await console['policy-export']();
    const outcome = await console['policy-import']({ file });
    assert.equal(outcome.status, 'imported');
    assert.deepEqual(outcome.status === 'imported' && [outcome.policies, outcome.groups], [
      { created: 0, changed: 0, unchanged: 3 },
      { created: 0, changed: 0, unchanged: 1 },
    ]);
    const withoutKey = consoleOperations(site.context.store, site.context.identity.caPin, null);
    await assert.rejects(withoutKey['policy-export'](), /ca-key\.pem/);
  });
});
