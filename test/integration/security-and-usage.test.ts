/**
 * Policy settings the hub acts on: security checks (minimum agent version, no local
 * administrators) found from what agents report, and hours of use per user and machine for
 * machines whose policy turns usage accounting on.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAgent, type RunningAgent } from '../../src/agent/agent.js';
import type { LogonEvent } from '../../src/protocol/callback-activity.js';
import type { MachineSample } from '../../src/protocol/callback-schema.js';
import { silentLogger } from '../../src/shared/logger.js';
import { strataVersion } from '../../src/shared/version.js';
import { sampleMachine } from '../support/sample-callback.js';
import { issueToken } from '../support/test-collector.js';
import { hubApi } from '../support/hub-api.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

const hour = 3_600_000;

describe(`security checks and usage hours (${storeKind} store)`, () => {
  let hub: TestHub;
  let cookie: string;
  let agent: RunningAgent;
  let dataDir: string;
  // Whole seconds, as the store keeps them.
  const start = Math.floor((Date.now() - 5 * hour) / 1_000) * 1_000;
  const at = (offsetMillis: number) => new Date(start + offsetMillis).toISOString();
  let logons: LogonEvent[] = [];

  before(async () => {
    hub = await startTestHub();
    cookie = await hub.signInAsAdmin();
    dataDir = await mkdtemp(join(tmpdir(), 'strata-agent-'));
    const sample = async (): Promise<MachineSample> => {
      const machine = sampleMachine('desk-0101');
      const users = [
        { account: 'ada', terminal: 'tty2', from: '', loggedInAt: at(0), isAdministrator: true },
        { account: 'bob', terminal: 'tty3', from: '', loggedInAt: at(hour) },
      ];
      const events = logons;
      logons = [];
      return { ...machine, users, ...(events.length > 0 ? { logons: events } : {}) };
    };
    const token = await issueToken(hub, 'agent');
    const options = { dataDir, hubUrl: hub.url, token, name: 'desk-0101', sample };
    agent = await startAgent({ ...options, logger: silentLogger() });
  });
  after(async () => {
    await agent?.stop();
    await hub?.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  const api = (method: string, path: string, body?: unknown) =>
    hubApi(hub.url, cookie)(method, path, body);
  const setAgentPolicy = async (change: Record<string, unknown>) => {
    const { body } = await api('GET', '/api/v1/policies');
    const policy = body.policies.find((p: any) => p.kind === 'agent' && p.isDefault);
    const updated = await api('PUT', `/api/v1/policies/${policy.id}`, {
      settings: { ...policy.settings, ...change },
    });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
  };

  it('finds nothing while the policy asks for no checks', async () => {
    assert.equal((await agent.callbackNow()).status, 'delivered');
    const { status, body } = await api('GET', '/api/v1/security-findings');
    assert.equal(status, 200);
    assert.deepEqual(body.findings, []);
  });

  it('finds an agent older than the minimum and a local administrator', async () => {
    await setAgentPolicy({
      securityChecks: { minAgentVersion: '99.0.0', localAdministratorsAllowed: false },
    });
    const { body } = await api('GET', '/api/v1/security-findings');
    const checks = body.findings.map((finding: any) => [finding.check, finding.hostname]);
    assert.deepEqual(checks, [
      ['agent_version', 'desk-0101'],
      ['local_administrators', 'desk-0101'],
    ]);
    assert.deepEqual(body.findings[0].detail, { version: strataVersion, minimum: '99.0.0' });
    assert.deepEqual(
      body.findings[1].detail.accounts.map((account: any) => account.account),
      ['ada'],
      'bob has no administrator rights',
    );
  });

  it('refuses a minimum agent version that is not a version', async () => {
    const { body } = await api('GET', '/api/v1/policies');
    const policy = body.policies.find((p: any) => p.kind === 'agent' && p.isDefault);
    for (const minAgentVersion of ['not-a-version', '1.0.0; DROP TABLE x', '']) {
      const refused = await api('PUT', `/api/v1/policies/${policy.id}`, {
        settings: { ...policy.settings, securityChecks: { minAgentVersion } },
      });
      assert.equal(refused.status, 400, minAgentVersion);
      assert.match(String(refused.body.message), /minAgentVersion/);
    }
  });

  it('clears a finding once the agent meets the policy', async () => {
    await setAgentPolicy({
      securityChecks: { minAgentVersion: strataVersion, localAdministratorsAllowed: true },
    });
    const { body } = await api('GET', '/api/v1/security-findings');
    assert.deepEqual(body.findings, []);
  });

  it('counts hours of use per user and machine only where the policy says so', async () => {
    logons = [
      {
        account: 'ada',
        event: 'logon',
        at: at(0),
        terminal: 'tty2',
        from: '',
        durationMillis: 9_000,
      },
      {
        account: 'bob',
        event: 'logon',
        at: at(hour),
        terminal: 'tty3',
        from: '',
        durationMillis: null,
      },
      {
        ...{ account: 'ada', event: 'logoff', at: at(2.5 * hour), terminal: 'tty2', from: '' },
        ...{ durationMillis: null, sessionMillis: 2.5 * hour },
      },
      // A logoff whose logon came before anything the agent read: its measured length counts.
      {
        ...{ account: 'eve', event: 'logoff', at: at(0.5 * hour), terminal: 'pts/4', from: '' },
        ...{ durationMillis: null, sessionMillis: 1.5 * hour },
      },
    ];
    assert.equal((await agent.callbackNow()).status, 'delivered');
    const between = (from: number, to: number) =>
      `from=${encodeURIComponent(at(from))}&to=${encodeURIComponent(at(to))}`;
    const period = between(-2 * hour, 4 * hour);

    const before = await api('GET', `/api/v1/usage-hours?${period}`);
    assert.equal(before.status, 200);
    assert.deepEqual(before.body.rows, [], 'not accounted until the policy turns it on');
    assert.equal(before.body.machinesNotAccounted, 1);

    await setAgentPolicy({ usageAccounting: true });
    const { body } = await api('GET', `/api/v1/usage-hours?${period}`);
    const hours = Object.fromEntries(body.rows.map((row: any) => [row.account, row.hours]));
    // bob never logged off: counted up to the machine's latest sample, within the period.
    const [latest] = await hub.context.store.query<{ latest_sampled_at: Date }>(
      'SELECT latest_sampled_at FROM machines',
    );
    const bobMillis =
      Math.min(latest!.latest_sampled_at.getTime(), start + 4 * hour) - (start + hour);
    assert.deepEqual(hours, {
      ada: 2.5,
      bob: Math.round((bobMillis / hour) * 1_000) / 1_000,
      eve: 1.5,
    });
    assert.equal(body.machinesNotAccounted, 0);

    const clipped = await api('GET', `/api/v1/usage-hours?${between(2 * hour, 3 * hour)}`);
    const ada = clipped.body.rows.find((row: any) => row.account === 'ada');
    assert.equal(ada.hours, 0.5, 'only the part of a session inside the period counts');
    assert.equal(ada.sessions, 1);
  });

  it("counts this month by default, from its first midnight in the site's zone", async () => {
    const zone = await api('PUT', '/api/v1/settings/time-zone', { timeZone: 'Asia/Tokyo' });
    assert.equal(zone.status, 200, JSON.stringify(zone.body));
    const { body } = await api('GET', '/api/v1/usage-hours');
    // Tokyo keeps +09:00 all year: its month starts at 15:00 UTC on the last day before.
    const parts = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Tokyo',
      year: 'numeric',
      month: '2-digit',
    }).formatToParts(new Date());
    const year = Number(parts.find((part) => part.type === 'year')!.value);
    const month = Number(parts.find((part) => part.type === 'month')!.value);
    assert.equal(body.from, new Date(Date.UTC(year, month - 1, 1) - 9 * hour).toISOString());
  });

  it('refuses a period that ends before it starts, naming the fields', async () => {
    const answer = await api(
      'GET',
      `/api/v1/usage-hours?from=${encodeURIComponent(at(hour))}&to=${encodeURIComponent(at(0))}`,
    );
    assert.deepEqual([answer.status, answer.body.code], [400, 'invalid_period']);
    const bad = await api('GET', '/api/v1/usage-hours?from=yesterday');
    assert.equal(bad.status, 400);
  });
});
