import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { elementHash } from '../../src/agent/connector-id/fingerprint-reader.js';
import { ChannelClient } from '../../src/protocol/channel-client.js';
import { activateTestAgent } from '../support/test-collector.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';
import { activateCollectorIdentity } from './test-collector-identity.js';

const h = (element: string, value: string) => elementHash(element, value);
const desk = {
  platformUuid: h('platformUuid', 'uuid-42'),
  fqdn: h('fqdn', 'desk-42.corp.example'),
  boardSerial: h('boardSerial', 'BRD42'),
  bootDisk: h('bootDisk', 'DISK-A'),
  disks: [h('disk', 'DISK-A')],
  nics: [h('nic', 'a4:bb:6d:00:00:42')],
  controllers: [h('controller', '8086:a0e3')],
};

describe(`Connector ID numbers over the hub's API (${storeKind} store)`, () => {
  let hub: TestHub;
  let cookie: string;

  before(async () => {
    hub = await startTestHub();
    cookie = await hub.signInAsAdmin();
  });
  after(async () => {
    await hub?.cleanup();
  });

  const sealed = async (client: ChannelClient, path: string, body: unknown) => {
    const result = await client.request(path, body);
    if (result.kind !== 'reply') throw new Error(`${path}: ${result.code} ${result.message}`);
    return result.body as Record<string, unknown>;
  };
  const claim = async (fingerprint: unknown) => {
    const agent = await activateTestAgent(hub);
    const reply = await sealed(agent.hub, '/api/v1/agent/connector-id/machine', { fingerprint });
    return { agent, reply, number: reply.machineNumber as number };
  };
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${hub.url}${path}`, {
      method,
      headers: {
        cookie,
        'x-strata-request': '1',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('keeps a machine number through a new disk and gives a live clone its own', async () => {
    const first = await claim(desk);
    assert.ok(first.number >= 1 && first.number <= 0xffffff);
    assert.equal(Buffer.from(first.reply.machineKey as string, 'base64').length, 16);
    assert.equal(first.reply.tagging, false, 'tagging is off until policy turns it on');

    const newDisk = { ...desk, bootDisk: h('bootDisk', 'DISK-B'), disks: [h('disk', 'DISK-B')] };
    const again = await sealed(first.agent.hub, '/api/v1/agent/connector-id/machine', {
      fingerprint: newDisk,
    });
    assert.equal(again.machineNumber, first.number);

    const clone = await claim({
      ...desk,
      fqdn: h('fqdn', 'desk-42-clone.corp.example'),
      nics: [h('nic', 'a4:bb:6d:00:01:00')],
    });
    assert.notEqual(clone.number, first.number);
  });

  it('keeps the number of a non-persistent desktop re-created under its old name', async () => {
    const vdi = { fqdn: h('fqdn', 'vdi-7.corp.example'), platformUuid: h('platformUuid', 'v1') };
    const before = await claim({ ...vdi, nics: [h('nic', '00:50:56:00:00:01')] });
    const recreated = await claim({
      ...vdi,
      platformUuid: h('platformUuid', 'v2'),
      nics: [h('nic', '00:50:56:00:00:02')],
    });
    assert.equal(recreated.number, before.number);
  });

  it('numbers accounts at random, keeps them, and reclaims one only when told to', async () => {
    const agent = await activateTestAgent(hub);
    const accounts = ['alice@CORP.EXAMPLE', 'bob@desk-42'];
    const ask = async () =>
      (await sealed(agent.hub, '/api/v1/agent/connector-id/users', { accounts })).users as {
        account: string;
        number: number;
      }[];
    const first = await ask();
    assert.deepEqual(first.map((u) => u.account).sort(), accounts);
    assert.notEqual(first[0]!.number, first[1]!.number);
    assert.deepEqual(await ask(), first);

    const alice = first.find((u) => u.account === 'alice@CORP.EXAMPLE')!;
    const reclaimed = await admin('POST', `/api/v1/connector-id/users/${alice.number}/reclaim`);
    assert.equal(reclaimed.status, 200);
    const missing = await admin('POST', `/api/v1/connector-id/users/${alice.number}/reclaim`);
    assert.equal(missing.status, 404);
    const log = await hub.context.store.query<{ action: string; subject: string }>(
      "SELECT action, subject FROM change_log WHERE action LIKE 'connector_id.%'",
    );
    assert.ok(log.some((e) => e.action === 'connector_id.user_number.reclaim'));
    const listed = (await (await admin('GET', '/api/v1/connector-id/users')).json()) as {
      users: { account: string }[];
    };
    assert.deepEqual(
      listed.users.map((u) => u.account),
      ['bob@desk-42'],
    );
  });

  it('tells collectors the site secret, revoked machines and the replay policy', async () => {
    const machine = await claim({
      fqdn: h('fqdn', 'revoked-1.corp.example'),
      disks: [],
      nics: [],
      controllers: [],
    });
    assert.equal(
      (await admin('POST', `/api/v1/connector-id/machines/${machine.number}/revoke`)).status,
      200,
    );
    const settings = await admin('PUT', '/api/v1/connector-id/settings', {
      replayProtection: true,
    });
    assert.equal(((await settings.json()) as { replayProtection: boolean }).replayProtection, true);

    const collector = (await activateCollectorIdentity(hub)).channel;
    const answer = await sealed(collector, '/api/v1/collector/connector-id/keys', {});
    assert.equal((answer.secrets as unknown[]).length, 1);
    assert.deepEqual(answer.revokedMachines, [machine.number]);
    assert.equal(answer.replayProtection, true);
    // Agents may not ask for the site secrets.
    const refused = await machine.agent.hub.request('/api/v1/collector/connector-id/keys', {});
    assert.equal(refused.kind === 'refused' && refused.code, 'wrong_recipient');
  });

  it('refuses a settings change that is empty, not true or false, or unknown', async () => {
    for (const body of [{}, { tagging: 'yes' }, { tagging: true, evil: 1 }, []]) {
      const response = await admin('PUT', '/api/v1/connector-id/settings', body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(((await response.json()) as { code: string }).code, 'invalid_request');
    }
    const now = (await (await admin('GET', '/api/v1/connector-id/settings')).json()) as {
      tagging: boolean;
    };
    assert.equal(now.tagging, false, 'nothing was turned on');
  });
});
