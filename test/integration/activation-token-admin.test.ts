/**
 * Activation tokens as an administrator keeps them: listed with what became of each (never
 * their secret), and ended early, after which no component can activate with them.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { activate } from '../../src/agent/agent-identity.js';
import { runConsoleOperation } from '../../src/cli/console-session.js';
import { createKeyPair } from '../../src/protocol/key-pair.js';
import { hubApi } from '../support/hub-api.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

describe(`activation tokens listed and ended (${storeKind} store)`, () => {
  let hub: TestHub;
  let api: ReturnType<typeof hubApi>;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-activation-admin-'));
    hub = await startTestHub({ dataDir: join(dir, 'hub') });
    api = hubApi(hub.url, await hub.signInAsAdmin());
  });
  after(async () => {
    await hub?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  const activateWith = async (token: string, name: string) =>
    activate({
      dataDir: await mkdtemp(join(dir, `${name}-`)),
      hubUrl: hub.url,
      token,
      kind: 'agent',
      name,
      keys: await createKeyPair(),
    });

  it('lists each token with its uses, activations and state, never its secret', async () => {
    const issued = await api('POST', '/api/v1/activation-tokens', { uses: 2, label: 'floor 3' });
    assert.equal(issued.status, 200);
    await activateWith(issued.body.token, 'desk-1');

    const { status, body } = await api('GET', '/api/v1/activation-tokens');
    assert.equal(status, 200);
    const token = body.tokens.find((entry: { id: string }) => entry.id === issued.body.id);
    assert.deepEqual(
      [token.label, token.usesLeft, token.activations, token.state, token.kind],
      ['floor 3', 1, 1, 'usable', 'agent'],
    );
    assert.ok(!JSON.stringify(body).includes(issued.body.token.split('.')[1]), 'no secret');
  });

  it('ends a token at once: activating with it is refused; the change log says who', async () => {
    const issued = await api('POST', '/api/v1/activation-tokens', { uses: 5 });
    const ended = await api('DELETE', `/api/v1/activation-tokens/${issued.body.id}`);
    assert.equal(ended.status, 204);
    await assert.rejects(activateWith(issued.body.token, 'desk-2'), /token/i);
    const { body } = await api('GET', '/api/v1/activation-tokens');
    const token = body.tokens.find((entry: { id: string }) => entry.id === issued.body.id);
    assert.deepEqual([token.state, token.usesLeft, token.activations], ['revoked', 5, 0]);
    const again = await api('DELETE', `/api/v1/activation-tokens/${issued.body.id}`);
    assert.deepEqual([again.status, again.body.code], [404, 'token_not_found']);
    const [entry] = await hub.context.store.query<{ actor: string }>(
      "SELECT actor FROM change_log WHERE action = 'activation_token.revoke' AND subject = $1",
      [issued.body.id],
    );
    assert.equal(entry!.actor, 'person:admin');
  });

  it('lists and ends tokens from the console too', async () => {
    const issued = await api('POST', '/api/v1/activation-tokens', {});
    const settings = { dataDir: dir, databaseUrl: hub.databaseUrl };
    const listed = (await runConsoleOperation(settings, 'activation-token-list', {})) as Array<{
      id: string;
      state: string;
    }>;
    assert.equal(listed.find((token) => token.id === issued.body.id)?.state, 'usable');
    await runConsoleOperation(settings, 'activation-token-revoke', { id: issued.body.id });
    await assert.rejects(
      runConsoleOperation(settings, 'activation-token-revoke', { id: issued.body.id }),
      /no open activation token/,
    );
  });
});
