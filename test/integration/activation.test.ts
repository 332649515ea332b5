/**
 * Activation of agents and collectors over real HTTP against real hubs: what a token allows,
 * what the hub refuses, what a component refuses, and what lands on the component's disk.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAgent } from '../../src/agent/agent.js';
import { activate, type ComponentIdentity } from '../../src/agent/agent-identity.js';
import { createActivationToken } from '../../src/hub/activation-tokens.js';
import {
  buildActivationRequest,
  openActivationResponse,
  sealActivationResponse,
  type ActivationRequest,
  type ComponentKind,
} from '../../src/protocol/activation.js';
import {
  formatActivationToken,
  hashSecret,
  parseActivationToken,
} from '../../src/protocol/activation-token.js';
import { certificatePin, verifyCertificate } from '../../src/protocol/certificate-authority.js';
import {
  createKeyPair,
  keyFingerprint,
  publicPemOf,
  type KeyPairPem,
} from '../../src/protocol/key-pair.js';
import type { RejectionReason } from '../../src/protocol/rejection.js';
import { silentLogger } from '../../src/shared/logger.js';
import { sampleMachine } from '../support/sample-callback.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

interface Answer {
  status: number;
  body: { code?: string } & Record<string, unknown>;
}

describe(`activating agents and collectors (${storeKind} store)`, () => {
  let hub: TestHub;
  let otherSite: TestHub;
  let cookie: string;
  const folders: string[] = [];

  before(async () => {
    [hub, otherSite] = await Promise.all([startTestHub(), startTestHub()]);
    cookie = await hub.signInAsAdmin();
  });

  after(async () => {
    await Promise.all([hub?.cleanup(), otherSite?.cleanup()]);
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  async function newFolder(): Promise<string> {
    const folder = await mkdtemp(join(tmpdir(), 'strata-component-'));
    folders.push(folder);
    return folder;
  }

  /** Issues a token the way an administrator does, through the API. */
  async function issueToken(
    options: { kind?: 'agent' | 'collector' | 'any'; uses?: number } = {},
  ): Promise<string> {
    const response = await fetch(`${hub.url}/api/v1/activation-tokens`, {
      method: 'POST',
      headers: { cookie, 'x-strata-request': '1', 'content-type': 'application/json' },
      body: JSON.stringify(options),
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { token: string }).token;
  }

  async function postActivation(target: TestHub, request: ActivationRequest): Promise<Answer> {
    const response = await fetch(`${target.url}/api/v1/activate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  }

  function requestFor(token: string, keys: KeyPairPem, kind: ComponentKind = 'agent') {
    const { secret } = parseActivationToken(token)!;
    const fields = {
      tokenSecret: secret,
      kind,
      name: 'desk-0042',
      publicKeyPem: keys.publicKeyPem,
    };
    return buildActivationRequest(fields, keys.privateKeyPem);
  }

  async function activateInto(
    dataDir: string,
    token: string,
    target = hub,
    kind: ComponentKind = 'agent',
  ) {
    const keys = await createKeyPair();
    return activate({ dataDir, hubUrl: target.url, token, kind, name: 'desk-0042', keys });
  }

  /** A genuine token of the other site with this site's CA pin in place of its own. */
  async function otherSiteTokenPinnedHere(): Promise<string> {
    const { token } = await createActivationToken(
      otherSite.context.store,
      otherSite.context.identity.caPin,
      { kind: 'agent', actor: 'test' },
    );
    const { secret } = parseActivationToken(token)!;
    return formatActivationToken({ secret, caPin: hub.context.identity.caPin });
  }

  async function componentCount(target: TestHub): Promise<number> {
    const rows = await target.context.store.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM components WHERE kind <> 'hub'",
    );
    return rows[0]!.n;
  }

  const secretHashOf = (token: string) => hashSecret(parseActivationToken(token)!.secret);

  async function usesLeft(token: string): Promise<number> {
    const rows = await hub.context.store.query<{ uses_left: number }>(
      'SELECT uses_left FROM activation_tokens WHERE secret_hash = $1',
      [secretHashOf(token)],
    );
    return rows[0]!.uses_left;
  }

  /**
   * Posts `request` and checks the refusal: status and code, one count under that reason, one
   * warn line with the code and without the token or proof, and no component made.
   */
  async function expectRefused(
    code: RejectionReason,
    status: number,
    request: ActivationRequest,
  ): Promise<void> {
    const componentsBefore = await componentCount(hub);
    const countBefore = hub.context.rejections.get(code);
    const logMark = hub.logLines.length;

    const answer = await postActivation(hub, request);

    assert.equal(answer.status, status);
    assert.equal(answer.body.code, code);
    assert.equal(hub.context.rejections.get(code), countBefore + 1);
    const lines = hub.logLines.slice(logMark);
    const warnings = lines.filter((line) => (line.level as number) >= 40);
    assert.deepEqual(
      warnings.map((line) => [line.level, line.code]),
      [[40, code]],
    );
    const logged = JSON.stringify(lines);
    for (const secret of [request.tokenSecret, request.proof.slice(0, 24), 'PRIVATE']) {
      assert.ok(!logged.includes(secret), 'the log holds no token, proof or key');
    }
    assert.equal(await componentCount(hub), componentsBefore, 'no component was activated');
  }

  const absent = (path: string) =>
    stat(path).then(
      () => false,
      (error: NodeJS.ErrnoException) => error.code === 'ENOENT',
    );

  it('activates two components with a two-use token and refuses the third', async () => {
    const token = await issueToken({ uses: 2 });
    const first = await activateInto(await newFolder(), token);
    const second = await activateInto(await newFolder(), token);
    assert.notEqual(first.componentId, second.componentId);

    const keys = await createKeyPair();
    await expectRefused('bad_activation_token', 403, requestFor(token, keys));
    const third = await newFolder();
    await assert.rejects(activateInto(third, token), /bad_activation_token/);
    assert.ok(await absent(join(third, 'identity.json')), 'no identity was written');
  });

  it('activates no more components than a token has uses when requests race', async () => {
    const token = await issueToken({ uses: 2 });
    const before = await componentCount(hub);
    const requests = await Promise.all(
      Array.from({ length: 6 }, async () => requestFor(token, await createKeyPair())),
    );

    const answers = await Promise.all(requests.map((request) => postActivation(hub, request)));

    const statuses = answers.map((answer) => answer.body.code ?? answer.status);
    assert.deepEqual(statuses.sort(), [
      200,
      200,
      'bad_activation_token',
      'bad_activation_token',
      'bad_activation_token',
      'bad_activation_token',
    ]);
    assert.equal(await componentCount(hub), before + 2);
    assert.equal(await usesLeft(token), 0);
  });

  it('refuses a token past its expiry', async () => {
    const token = await issueToken();
    // Tokens expire by the store's clock, so the expiry is moved rather than waited for.
    await hub.context.store.query(
      `UPDATE activation_tokens SET expires_at = now() - interval '1 second'
       WHERE secret_hash = $1`,
      [secretHashOf(token)],
    );
    const keys = await createKeyPair();
    await expectRefused('bad_activation_token', 403, requestFor(token, keys));
  });

  it('refuses a collector token to an agent and keeps its use for a collector', async () => {
    const token = await issueToken({ kind: 'collector' });
    const keys = await createKeyPair();
    await expectRefused('bad_activation_token', 403, requestFor(token, keys, 'agent'));
    assert.equal(await usesLeft(token), 1);

    const collector = await activateInto(await newFolder(), token, hub, 'collector');
    const certificate = await verifyCertificate(
      collector.certificatePem,
      collector.caCertificatePem,
    );
    assert.equal(certificate.kind, 'collector');
  });

  it('refuses a request whose proof was signed by a key it does not carry', async () => {
    const token = await issueToken();
    const claimed = await createKeyPair();
    const signer = await createKeyPair();
    const { secret } = parseActivationToken(token)!;
    const forged = buildActivationRequest(
      { tokenSecret: secret, kind: 'agent', name: 'desk-0042', publicKeyPem: claimed.publicKeyPem },
      signer.privateKeyPem,
    );
    await expectRefused('bad_activation_proof', 400, forged);
    assert.equal(await usesLeft(token), 1, 'a forged request uses up nothing');
  });

  it('refuses, before spending the token, a hub whose CA is not the pinned one', async () => {
    // The other hub would take the secret; the component checks the CA first and never asks.
    const mixed = await otherSiteTokenPinnedHere();
    const dataDir = await newFolder();
    const before = await componentCount(otherSite);

    await assert.rejects(activateInto(dataDir, mixed, otherSite), /belongs to another site/);
    assert.equal(await componentCount(otherSite), before, 'the other hub activated nothing');
    assert.ok(await absent(join(dataDir, 'identity.json')), 'no identity was written');
  });

  it('refuses an activation bundle signed by a CA other than the pinned one', async () => {
    // The second line of defence, should a hub serve one CA and sign with another.
    const keys = await createKeyPair();
    const { identity } = otherSite.context;
    const response = sealActivationResponse(
      {
        componentId: '00000000-0000-4000-8000-000000000000',
        certificatePem: identity.hubCertificatePem,
        hubId: identity.hubId,
        hubCertificatePem: identity.hubCertificatePem,
        policy: {},
      },
      keys.publicKeyPem,
      { certificatePem: identity.ca.certificatePem, privateKeyPem: identity.caKeys.privateKeyPem },
    );
    await assert.rejects(
      openActivationResponse(response, { caPin: hub.context.identity.caPin, ...keys }),
      /the hub presented a CA that does not match the activation token/,
    );
  });

  it('saves a certificate that chains to the site CA and carries the policy', async () => {
    const dataDir = await newFolder();
    const agent = await startAgent({
      dataDir,
      hubUrl: hub.url,
      token: await issueToken(),
      logger: silentLogger(),
      sample: async () => sampleMachine(),
    });
    await agent.stop();

    const identityText = await readFile(join(dataDir, 'identity.json'), 'utf8');
    assert.ok(!identityText.includes('PRIVATE'), 'the private key stays in its own file');
    const saved = JSON.parse(identityText) as ComponentIdentity;
    assert.equal(saved.caCertificatePem, hub.context.identity.ca.certificatePem);
    assert.equal(certificatePin(saved.caCertificatePem), hub.context.identity.caPin);
    assert.equal(saved.hubId, hub.context.identity.hubId);
    const certificate = await verifyCertificate(saved.certificatePem, saved.caCertificatePem);
    assert.equal(certificate.subjectId, saved.componentId);
    assert.equal(certificate.kind, 'agent');
    const [policy] = await hub.context.store.query<{ id: string }>(
      "SELECT id FROM policies WHERE kind = 'agent' AND is_default",
    );
    assert.deepEqual(certificate.policy, {
      callbackIntervalSeconds: 10,
      policyId: policy!.id,
      policyVersion: 1,
      policyName: 'Default agent policy',
    });
    assert.deepEqual(saved.policy, certificate.policy);
    await assert.rejects(
      verifyCertificate(saved.certificatePem, otherSite.context.identity.ca.certificatePem),
      /not signed by the site CA/,
    );

    const keyPath = join(dataDir, 'agent-key.pem');
    assert.equal((await stat(keyPath)).mode & 0o777, 0o600);
    const privateKeyPem = await readFile(keyPath, 'utf8');
    assert.equal(
      keyFingerprint(certificate.publicKeyPem),
      keyFingerprint(publicPemOf(privateKeyPem)),
    );
  });

  it('keeps the saved identity untouched when a new activation fails', async () => {
    const dataDir = await newFolder();
    await activateInto(dataDir, await issueToken());
    const identityPath = join(dataDir, 'identity.json');
    const saved = await readFile(identityPath);
    const savedAt = (await stat(identityPath)).mtimeMs;

    const usedUp = await issueToken();
    await activateInto(await newFolder(), usedUp);
    await assert.rejects(activateInto(dataDir, usedUp), /bad_activation_token/);
    const mixed = await otherSiteTokenPinnedHere();
    await assert.rejects(activateInto(dataDir, mixed, otherSite), /belongs to another site/);
    await assert.rejects(
      activate({
        dataDir,
        hubUrl: 'http://127.0.0.1:9',
        token: await issueToken(),
        kind: 'agent',
        name: 'desk-0042',
        keys: await createKeyPair(),
      }),
    );

    assert.deepEqual(await readFile(identityPath), saved);
    assert.equal((await stat(identityPath)).mtimeMs, savedAt);
  });
});
