/**
 * Policies managed from the hub: versioned, chosen by group, carried in certificates, and
 * followed by a running agent and a running collector within one callback or report.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAgent, type RunningAgent } from '../../src/agent/agent.js';
import { loadIdentity } from '../../src/agent/agent-identity.js';
import { verifyCertificate } from '../../src/protocol/certificate-authority.js';
import { silentLogger } from '../../src/shared/logger.js';
import { sampleCallback } from '../support/sample-callback.js';
import { issueToken, startTestCollector, type TestCollector } from '../support/test-collector.js';
import { hubApi } from '../support/hub-api.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

interface PolicyBody {
  id: string;
  name: string;
  kind: string;
  version: number;
  isDefault: boolean;
  settings: Record<string, unknown>;
  components: Array<{ version: number; count: number }>;
}

describe(`policies from the hub (${storeKind} store)`, () => {
  let hub: TestHub;
  let cookie: string;
  let agent: RunningAgent | undefined;
  let collector: TestCollector | undefined;
  const dirs: string[] = [];

  before(async () => {
    hub = await startTestHub();
    cookie = await hub.signInAsAdmin();
  });
  after(async () => {
    await agent?.stop();
    await collector?.cleanup();
    await hub?.cleanup();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  const api = (method: string, path: string, body?: unknown) =>
    hubApi(hub.url, cookie)(method, path, body);
  const policies = async () =>
    ((await api('GET', '/api/v1/policies')).body.policies as PolicyBody[]).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
  const defaultOf = async (kind: string) =>
    (await policies()).find((policy) => policy.kind === kind && policy.isDefault)!;
  const newAgent = async (name: string) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'strata-agent-'));
    dirs.push(dataDir);
    const token = await issueToken(hub, 'agent');
    const sample = async () => sampleCallback();
    return startAgent({ dataDir, hubUrl: hub.url, token, name, logger: silentLogger(), sample });
  };

  it('starts with a default policy per kind, carried in an agent certificate', async () => {
    const agentDefault = await defaultOf('agent');
    assert.equal(agentDefault.version, 1);
    assert.equal(agentDefault.settings.callbackIntervalSeconds, 10);
    assert.ok(await defaultOf('collector'));

    agent = await newAgent('desk-0001');
    const verified = await verifyCertificate(
      agent.identity.certificatePem,
      hub.context.identity.ca.certificatePem,
    );
    assert.equal(verified.policy.policyId, agentDefault.id);
    assert.equal(verified.policy.policyVersion, 1);
  });

  it('reaches a running agent with its next callback, saved and shown at the hub', async () => {
    const agentDefault = await defaultOf('agent');
    const change = { ...agentDefault.settings, callbackIntervalSeconds: 20, autoUpdate: false };
    const updated = await api('PUT', `/api/v1/policies/${agentDefault.id}`, { settings: change });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.version, 2);

    assert.equal((await agent!.callbackNow()).status, 'delivered');

    assert.equal(agent!.identity.policy.policyVersion, 2);
    assert.equal(agent!.identity.policy.callbackIntervalSeconds, 20);
    const saved = await loadIdentity(agent!.identity === null ? '' : dirs[0]!);
    assert.equal(saved!.policy.policyVersion, 2, 'kept on disk for the next start');
    const shown = await defaultOf('agent');
    assert.deepEqual(shown.components, [{ version: 2, count: 1 }]);
    const log = await hub.context.store.query<{ detail: { before: object; after: object } }>(
      "SELECT detail FROM change_log WHERE action = 'policy.update' AND subject = $1",
      [agentDefault.id],
    );
    assert.equal(log.length, 1);
    assert.deepEqual(log[0]!.detail.after, change);
  });

  it('gives a new agent the policy of the group whose name pattern it matches', async () => {
    const created = await api('POST', '/api/v1/policies', {
      name: 'Call centre',
      kind: 'agent',
      settings: { callbackIntervalSeconds: 30, offlineRetentionDays: 3 },
    });
    assert.equal(created.status, 200);
    const group = await api('POST', '/api/v1/groups', {
      name: 'Call centre desks',
      kind: 'agent',
      policyId: created.body.id,
      rule: { namePattern: 'cc-*' },
    });
    assert.equal(group.status, 200);

    const callCentre = await newAgent('CC-0107');
    try {
      assert.equal(callCentre.identity.policy.policyName, 'Call centre');
      assert.equal(callCentre.identity.policy.offlineRetentionDays, 3);
    } finally {
      await callCentre.stop();
    }
  });

  it('moves a running agent into a group by listing it, at its next callback', async () => {
    const callCentre = (await policies()).find((policy) => policy.name === 'Call centre')!;
    const listed = await api('POST', '/api/v1/groups', {
      name: 'Picked by hand',
      kind: 'agent',
      policyId: callCentre.id,
      priority: 1,
      members: [agent!.identity.componentId],
    });
    assert.equal(listed.status, 200);
    await agent!.callbackNow();
    assert.equal(agent!.identity.policy.policyName, 'Call centre');
    assert.equal(agent!.identity.policy.callbackIntervalSeconds, 30);
  });

  it('leaves a metric family the policy turns off out of the next callback', async () => {
    const callCentre = (await policies()).find((policy) => policy.name === 'Call centre')!;
    const changed = await api('PUT', `/api/v1/policies/${callCentre.id}`, {
      settings: { ...callCentre.settings, metricFamilies: { processes: false } },
    });
    assert.equal(changed.status, 200);
    const processRows = async () => {
      const [row] = await hub.context.store.query<{ count: string }>(
        `SELECT count(*) FROM process_samples WHERE callback_id =
           (SELECT callback_id FROM callbacks ORDER BY received_at DESC LIMIT 1)`,
      );
      return Number(row!.count);
    };

    assert.equal((await agent!.callbackNow()).status, 'delivered');
    assert.equal(await processRows(), 0, 'no process rows once the family is off');

    const back = await api('PUT', `/api/v1/policies/${callCentre.id}`, {
      settings: { ...callCentre.settings, metricFamilies: { processes: true } },
    });
    assert.equal(back.status, 200);
    assert.equal((await agent!.callbackNow()).status, 'delivered');
    assert.ok((await processRows()) > 0, 'process rows again once it is back on');
  });

  it('reaches a running collector with its next report', async () => {
    collector = await startTestCollector(hub);
    const collectorDefault = await defaultOf('collector');
    const changed = await api('PUT', `/api/v1/policies/${collectorDefault.id}`, {
      settings: { networkDeliverySeconds: 120 },
    });
    assert.equal(changed.status, 200);

    await collector.reporter.reportNow();

    const saved = await loadIdentity(collector.dataDir);
    assert.equal(saved!.policy.policyVersion, 2);
    assert.equal(saved!.policy.networkDeliverySeconds, 120);
    const [row] = await hub.context.store.query<{ policy_version: number }>(
      'SELECT policy_version FROM components WHERE id = $1',
      [saved!.componentId],
    );
    assert.equal(row!.policy_version, 2);
  });

  it('refuses settings out of range, unknown fields, taken names and bad groups', async () => {
    const agentDefault = await defaultOf('agent');
    const tooOften = await api('PUT', `/api/v1/policies/${agentDefault.id}`, {
      settings: { callbackIntervalSeconds: 5 },
    });
    assert.equal(tooOften.status, 400);
    assert.match(String(tooOften.body.message), /callbackIntervalSeconds/);
    const unknown = await api('PUT', `/api/v1/policies/${agentDefault.id}`, {
      settings: { callbackEvery: 60 },
    });
    assert.equal(unknown.status, 400);
    const taken = await api('POST', '/api/v1/policies', {
      name: 'Call centre',
      kind: 'agent',
      settings: {},
    });
    assert.deepEqual([taken.status, taken.body.code], [409, 'policy_conflict']);
    const badSubnet = await api('POST', '/api/v1/groups', {
      name: 'Branch',
      kind: 'agent',
      policyId: agentDefault.id,
      rule: { subnet: '10.0.0.0/33' },
    });
    assert.deepEqual([badSubnet.status, badSubnet.body.code], [400, 'invalid_group']);
    const wrongKind = await api('POST', '/api/v1/groups', {
      name: 'Branch',
      kind: 'collector',
      policyId: agentDefault.id,
    });
    assert.deepEqual([wrongKind.status, wrongKind.body.code], [400, 'invalid_group']);
    const stranger = await api('POST', '/api/v1/groups', {
      name: 'Nobody in it',
      kind: 'agent',
      policyId: agentDefault.id,
      members: ['00000000-0000-4000-8000-000000000000'],
    });
    assert.deepEqual([stranger.status, stranger.body.code], [400, 'invalid_group']);
    assert.equal((await defaultOf('agent')).version, agentDefault.version, 'nothing changed');
    const same = await api('PUT', `/api/v1/policies/${agentDefault.id}`, {
      settings: agentDefault.settings,
    });
    assert.equal(same.body.version, agentDefault.version, 'the same settings make no version');
  });
});
