/**
 * Revoking an agent reaches intake within 60 seconds, at the hub and at a callback collector
 * that caches what it knows of agents. The collector's clock is a fake one moved by the test,
 * so the bound is checked without waiting a minute.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { realisticCallback } from '../support/realistic-callback.js';
import {
  activateTestAgent,
  startTestCollector,
  type TestAgent,
  type TestCollector,
} from '../support/test-collector.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

describe(`revoking an agent (${storeKind} store)`, () => {
  let hub: TestHub;
  let collector: TestCollector;
  let agent: TestAgent;
  let clockMillis = Date.now();

  before(async () => {
    hub = await startTestHub();
    collector = await startTestCollector(hub, { nowMillis: () => clockMillis });
    agent = await activateTestAgent(hub, 'desk-revoked');
  });
  after(async () => {
    await collector?.cleanup();
    await hub?.cleanup();
  });

  const send = async () => {
    const channel = agent.to({
      id: collector.identity.componentId,
      publicKeyPem: collector.publicKeyPem,
      url: collector.url,
    });
    return channel.request('/api/v1/callbacks', realisticCallback('desk-revoked'));
  };

  it('stops the collector taking its callbacks within 60 seconds', async () => {
    const channel = agent.to({
      id: collector.identity.componentId,
      publicKeyPem: collector.publicKeyPem,
      url: collector.url,
    });
    const before = await channel.request('/api/v1/callbacks', realisticCallback('desk-revoked'));
    assert.equal(before.kind, 'reply', 'taken while the agent is active');

    const cookie = await hub.signInAsAdmin();
    const revoked = await fetch(
      `${hub.url}/api/v1/components/${agent.identity.componentId}/revoke`,
      { method: 'POST', headers: { cookie, 'x-strata-request': '1' } },
    );
    assert.equal(revoked.status, 204);

    // It may go on a while on what it cached, but never past 60 seconds, on the open
    // session or a new one.
    clockMillis += 60_000;
    const open = await channel.request('/api/v1/callbacks', realisticCallback('desk-revoked'));
    assert.equal(open.kind === 'refused' && open.code, 'revoked_sender');
    const fresh = await send();
    assert.equal(fresh.kind === 'refused' && fresh.code, 'revoked_sender');
  });

  it('stops the hub taking its callbacks at once', async () => {
    const result = await agent.hub.request('/api/v1/callbacks', realisticCallback('desk-revoked'));
    assert.equal(result.kind === 'refused' && result.code, 'revoked_sender');
  });
});
