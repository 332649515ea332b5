/**
 * A group's policy turns Connector ID tagging (agents) and replay protection (collectors) on
 * or off against the site's setting; fields the policy leaves out follow the site.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { elementHash } from '../../src/agent/connector-id/fingerprint-reader.js';
import { fetchTagPolicy } from '../../src/collector/connector-tag-policy.js';
import { hubApi } from '../support/hub-api.js';
import { activateTestAgent, type TestAgent } from '../support/test-collector.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';
import { activateCollectorIdentity } from './test-collector-identity.js';

describe(`Connector ID by group policy (${storeKind} store)`, () => {
  let hub: TestHub;
  let api: ReturnType<typeof hubApi>;
  let agent: TestAgent;

  before(async () => {
    hub = await startTestHub();
    api = hubApi(hub.url, await hub.signInAsAdmin());
    agent = await activateTestAgent(hub, 'desk-7');
  });
  after(async () => {
    await hub?.cleanup();
  });

  const taggingForAgent = async () => {
    const fingerprint = {
      fqdn: elementHash('fqdn', 'desk-7.example'),
      disks: [],
      nics: [],
      controllers: [],
    };
    const answer = await agent.hub.request('/api/v1/agent/connector-id/machine', { fingerprint });
    assert.equal(answer.kind, 'reply');
    return (answer as { body: { tagging: boolean } }).body.tagging;
  };
  const changeDefault = async (kind: string, connectorId: Record<string, boolean>) => {
    const { body } = await api('GET', '/api/v1/policies');
    const policy = body.policies.find((p: any) => p.kind === kind && p.isDefault);
    const changed = await api('PUT', `/api/v1/policies/${policy.id}`, {
      settings: { ...policy.settings, connectorId },
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
  };
  const siteSettings = async (change: Record<string, boolean>) => {
    const answer = await api('PUT', '/api/v1/connector-id/settings', change);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
  };

  it("tags where the agent's policy turns tagging on, even with the site's off", async () => {
    assert.equal(await taggingForAgent(), false, 'the site default: off');
    await changeDefault('agent', { tagging: true });
    assert.equal(await taggingForAgent(), true);
  });

  it("leaves a group untagged when its policy turns tagging off, with the site's on", async () => {
    await siteSettings({ tagging: true });
    await changeDefault('agent', { tagging: false });
    assert.equal(await taggingForAgent(), false);
    await changeDefault('agent', {});
    assert.equal(await taggingForAgent(), true, 'a policy that says nothing follows the site');
  });

  it('gives a collector the replay protection its policy asks for', async () => {
    const { link } = await activateCollectorIdentity(hub);
    const replay = async () => {
      const policy = await fetchTagPolicy(link);
      assert.ok(!('problem' in policy));
      return policy.replayProtection;
    };
    assert.equal(await replay(), false);
    await changeDefault('collector', { replayProtection: true });
    assert.equal(await replay(), true);
    await siteSettings({ replayProtection: true });
    await changeDefault('collector', { replayProtection: false });
    assert.equal(await replay(), false, 'the policy wins over the site');
  });
});
