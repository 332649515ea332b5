/**
 * What the policy routes take: JSON bodies are checked as sent, without turning "20" into 20
 * or "true" into true, and a refusal names the field; a collector list may name only
 * collectors the hub knows. Nothing refused reaches the store.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { addTestComponent, storeKind } from '../support/test-store.js';
import { sessionCall, startTestHub, type TestHub } from '../support/test-hub.js';

interface Refusal {
  code: string;
  message: string;
}

describe(`policy input is taken as sent (${storeKind} store)`, () => {
  let hub: TestHub;
  let call: ReturnType<typeof sessionCall>;
  let policyId: string;

  before(async () => {
    hub = await startTestHub();
    call = sessionCall(hub.url, await hub.signInAsAdmin());
    const made = await call('POST', '/api/v1/policies', {
      name: 'Lab desks',
      kind: 'agent',
      settings: { callbackIntervalSeconds: 30 },
    });
    assert.equal(made.status, 200);
    policyId = ((await made.json()) as { id: string }).id;
  });
  after(async () => {
    await hub?.cleanup();
  });

  const stored = () =>
    hub.context.store.query<{ name: string; version: number; settings: object }>(
      'SELECT name, version, settings FROM policies ORDER BY name',
    );
  const refused = async (response: Response, field: RegExp, code = 'invalid_request') => {
    assert.equal(response.status, 400);
    const body = (await response.json()) as Refusal;
    assert.equal(body.code, code);
    assert.match(body.message, field);
  };

  it('refuses numbers and booleans sent as text, naming the field; stores nothing', async () => {
    const before = await stored();
    const cases: Array<[object, RegExp]> = [
      [{ callbackIntervalSeconds: '20' }, /callbackIntervalSeconds must be integer/],
      [{ autoUpdate: 'true' }, /autoUpdate must be boolean/],
      [{ metricFamilies: { gpu: 0 } }, /gpu must be boolean/],
      [{ thresholds: { memoryUsedPercent: '90' } }, /memoryUsedPercent must be number/],
      [{ collectors: 'all' }, /collectors must be array/],
    ];

    for (const [settings, field] of cases) {
      const made = await call('POST', '/api/v1/policies', { name: 'New', kind: 'agent', settings });
      await refused(made, field);
      await refused(await call('PUT', `/api/v1/policies/${policyId}`, { settings }), field);
    }

    assert.deepEqual(await stored(), before);
  });

  it("refuses settings the policy's kind never acts on, naming them; stores nothing", async () => {
    const before = await stored();
    const forCollectors = await call('POST', '/api/v1/policies', {
      name: 'Probes',
      kind: 'collector',
      settings: { usageAccounting: true, connectorId: { tagging: true } },
    });
    await refused(
      forCollectors,
      /settings\/usageAccounting, settings\/connectorId\.tagging: not used by collectors/,
    );
    const forAgents = await call('PUT', `/api/v1/policies/${policyId}`, {
      settings: { networkDeliverySeconds: 60, connectorId: { replayProtection: true } },
    });
    await refused(
      forAgents,
      new RegExp(
        'settings/networkDeliverySeconds, settings/connectorId\\.replayProtection: ' +
          'not used by agents',
      ),
    );
    assert.deepEqual(await stored(), before);
    const fine = await call('POST', '/api/v1/policies', {
      name: 'Probes',
      kind: 'collector',
      settings: { networkDeliverySeconds: 120, connectorId: { replayProtection: true } },
    });
    assert.equal(fine.status, 200);
  });

  it('still reads numbers from query strings', async () => {
    const response = await call('GET', '/api/v1/change-log?limit=2');
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { entries: unknown[] }).entries.length, 2);
  });

  it('refuses a collector list naming an unknown or revoked collector, naming it', async () => {
    const known = await addTestComponent(hub.context.store, 'collector');
    const revoked = await addTestComponent(hub.context.store, 'collector', 'old-collector');
    await hub.context.store.query("UPDATE components SET status = 'revoked' WHERE id = $1", [
      revoked,
    ]);
    const stranger = randomUUID();
    const before = await stored();

    for (const id of [stranger, revoked]) {
      const settings = { collectors: [known, id] };
      const idNamed = new RegExp(`settings\\.collectors: .*${id}`);
      const made = await call('POST', '/api/v1/policies', { name: 'New', kind: 'agent', settings });
      await refused(made, idNamed, 'unknown_collector');
      const changed = await call('PUT', `/api/v1/policies/${policyId}`, { settings });
      await refused(changed, idNamed, 'unknown_collector');
    }
    assert.deepEqual(await stored(), before);

    const accepted = await call('PUT', `/api/v1/policies/${policyId}`, {
      settings: { callbackIntervalSeconds: 30, collectors: [known] },
    });
    assert.equal(accepted.status, 200);
    assert.deepEqual(((await accepted.json()) as { settings: object }).settings, {
      callbackIntervalSeconds: 30,
      collectors: [known],
    });
  });
});
