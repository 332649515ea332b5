/**
 * Every way a component's message can be refused, tried over real HTTP against a real hub on
 * the store under test. Each refusal must answer with its stable code, count once under its
 * reason (status page and /metrics), log one warning without key material, and store nothing.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { activate, type ComponentIdentity } from '../../src/agent/agent-identity.js';
import { createActivationToken } from '../../src/hub/activation-tokens.js';
import { maxMessageBytes } from '../../src/hub/routes/component-routes.js';
import type { CallbackV1 } from '../../src/protocol/callback-schema.js';
import {
  ChannelClient,
  type Transport,
  type TransportResponse,
} from '../../src/protocol/channel-client.js';
import type { SealedMessage, SessionOpen } from '../../src/protocol/channel-messages.js';
import { httpTransport } from '../../src/protocol/http-transport.js';
import { createKeyPair, type KeyPairPem } from '../../src/protocol/key-pair.js';
import { rejectionReasons, type RejectionReason } from '../../src/protocol/rejection.js';
import { aesKeyBytes, signBytes, wrapKey } from '../../src/protocol/sealed-box.js';
import { sampleCallback, sampleProcessCount } from '../support/sample-callback.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

const callbacksPath = '/api/v1/callbacks';
const openPath = '/api/v1/channel/open';
const dayMillis = 86_400_000;
// Tables a refused message must leave exactly as they were.
const storedTables = [
  'callbacks',
  'machines',
  'machine_samples',
  'process_samples',
  'users',
  'machine_users',
];

/** An activated agent as the test drives it: its saved identity and its key pair. */
interface Peer {
  identity: ComponentIdentity;
  keys: KeyPairPem;
}

interface Answer {
  status: number;
  body: { code?: string; message?: string } & Record<string, unknown>;
}

/**
 * A transport over real HTTP that records every exchange. With `holdCallbacks` set it keeps
 * sealed callbacks instead of sending them, so a test can deliver them later, altered or twice.
 */
class RecordingTransport implements Transport {
  readonly exchanges: Array<{ path: string; body: unknown; response: TransportResponse }> = [];
  readonly held: SealedMessage[] = [];
  private readonly http: Transport;

  constructor(
    baseUrl: string,
    private readonly holdCallbacks = false,
  ) {
    this.http = httpTransport(baseUrl);
  }

  async post(path: string, body: unknown): Promise<TransportResponse> {
    if (this.holdCallbacks && path === callbacksPath) {
      this.held.push(body as SealedMessage);
      return { status: 599, body: { code: 'held_by_test', message: 'not sent' } };
    }
    const response = await this.http.post(path, body);
    this.exchanges.push({ path, body, response });
    return response;
  }

  last(path: string) {
    const exchange = this.exchanges.findLast((candidate) => candidate.path === path);
    assert.ok(exchange, `nothing was posted to ${path}`);
    return exchange;
  }
}

describe(`a hub refusing messages it must not accept (${storeKind} store)`, () => {
  let hub: TestHub;
  let cookie: string;
  let clockOffsetMillis = 0;
  const folders: string[] = [];

  before(async () => {
    hub = await startTestHub({ nowMillis: () => Date.now() + clockOffsetMillis });
    cookie = await hub.signInAsAdmin();
  });

  after(async () => {
    await hub?.cleanup();
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  async function activatePeer(): Promise<Peer> {
    const dataDir = await mkdtemp(join(tmpdir(), 'strata-peer-'));
    folders.push(dataDir);
    const { token } = await createActivationToken(hub.context.store, hub.context.identity.caPin, {
      kind: 'agent',
      actor: 'test',
    });
    const keys = await createKeyPair();
    const identity = await activate({
      dataDir,
      hubUrl: hub.url,
      token,
      kind: 'agent',
      name: 'desk-0042',
      keys,
    });
    return { identity, keys };
  }

  function clientOf(peer: Peer, transport: Transport) {
    return new ChannelClient({
      componentId: peer.identity.componentId,
      privateKeyPem: peer.keys.privateKeyPem,
      recipientId: peer.identity.hubId,
      recipientPublicKeyPem: peer.identity.hubPublicKeyPem,
      transport,
    });
  }

  /** Opens a real session for `peer` and seals `payload` on it without sending it. */
  async function holdSealed(peer: Peer, payload: unknown = sampleCallback()) {
    const transport = new RecordingTransport(hub.url, true);
    const client = clientOf(peer, transport);
    const result = await client.request(callbacksPath, payload);
    assert.equal(result.kind === 'refused' && result.code, 'held_by_test');
    return {
      sealed: transport.held[0]!,
      opening: transport.last(openPath).body,
      transport,
      client,
    };
  }

  async function post(path: string, body: unknown): Promise<Answer> {
    return postText(path, JSON.stringify(body));
  }

  async function postText(path: string, text: string): Promise<Answer> {
    const response = await fetch(new URL(path, hub.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: text,
    });
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  }

  /** A session opening built by hand, so each field can be made wrong on purpose. */
  async function handOpening(fields: {
    componentId: string;
    recipientId: string;
    signingKeyPem: string;
  }) {
    const challenge = await post('/api/v1/channel/challenge', { componentId: fields.componentId });
    assert.equal(challenge.status, 200);
    const open: SessionOpen = {
      componentId: fields.componentId,
      recipientId: fields.recipientId,
      challenge: challenge.body.challenge as string,
      sessionId: randomBytes(24).toString('base64url'),
      wrappedKey: wrapKey(
        hub.context.identity.hubKeys.publicKeyPem,
        randomBytes(aesKeyBytes),
      ).toString('base64'),
      sentAt: new Date().toISOString(),
    };
    const openBytes = Buffer.from(JSON.stringify(open));
    return {
      open: openBytes.toString('base64'),
      signature: signBytes(fields.signingKeyPem, openBytes).toString('base64'),
    };
  }

  async function rowCounts() {
    const counts: Record<string, number> = {};
    for (const table of storedTables) {
      const rows = await hub.context.store.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table}`,
      );
      counts[table] = rows[0]!.n;
    }
    return counts;
  }

  async function statusRejections(): Promise<Record<string, number>> {
    const response = await fetch(`${hub.url}/api/v1/status`, { headers: { cookie } });
    assert.equal(response.status, 200);
    return ((await response.json()) as { rejections: Record<string, number> }).rejections;
  }

  async function metricsRejections(): Promise<Record<string, number>> {
    const response = await fetch(`${hub.url}/metrics`, { headers: { cookie } });
    assert.equal(response.status, 200);
    const counts: Record<string, number> = {};
    for (const line of (await response.text()).split('\n')) {
      const match = /^strata_messages_rejected_total\{reason="(\w+)"\} (\d+)$/.exec(line);
      if (match) counts[match[1]!] = Number(match[2]);
    }
    return counts;
  }

  /** Pieces of every private key in play; none may ever reach the log. */
  function keyMaterial(...peers: Peer[]): string[] {
    const pems = [
      hub.context.identity.hubKeys.privateKeyPem,
      hub.context.identity.caKeys.privateKeyPem,
      ...peers.map((peer) => peer.keys.privateKeyPem),
    ];
    return pems.map((pem) => pem.split('\n')[5]!);
  }

  /**
   * Runs `act` and checks the whole refusal: status and code in the answer, the counter for
   * that reason (and no other) up by one on the status page and in /metrics, exactly one warn
   * line carrying the code, none of `secrets` in the log, and no row stored anywhere.
   */
  async function expectRefusal(
    code: RejectionReason,
    secrets: string[],
    act: () => Promise<Answer>,
  ): Promise<void> {
    const rowsBefore = await rowCounts();
    const statusBefore = await statusRejections();
    const metricsBefore = await metricsRejections();
    const logMark = hub.logLines.length;

    const answer = await act();

    assert.equal(answer.status, rejectionReasons[code].status);
    assert.equal(answer.body.code, code);
    assert.deepEqual(await statusRejections(), {
      ...statusBefore,
      [code]: statusBefore[code]! + 1,
    });
    assert.deepEqual(await metricsRejections(), {
      ...metricsBefore,
      [code]: metricsBefore[code]! + 1,
    });
    const lines = hub.logLines.slice(logMark);
    const warnings = lines.filter((line) => (line.level as number) >= 40);
    assert.equal(warnings.length, 1, `one warning, not ${JSON.stringify(warnings)}`);
    assert.equal(warnings[0]!.level, 40);
    assert.equal(warnings[0]!.code, code);
    const logged = JSON.stringify(lines);
    for (const secret of ['PRIVATE', 'BEGIN', ...secrets]) {
      // A prefix catches a shortened copy as well as a whole one.
      assert.ok(!logged.includes(secret.slice(0, 24)), `the log holds ${secret.slice(0, 24)}`);
    }
    assert.deepEqual(await rowCounts(), rowsBefore, 'nothing was stored');
  }

  function openingSecrets(opening: unknown): string[] {
    const { open, signature } = opening as { open: string; signature: string };
    const fields = JSON.parse(Buffer.from(open, 'base64').toString('utf8')) as SessionOpen;
    return [open, signature, fields.wrappedKey, fields.challenge];
  }

  it('refuses a session opening signed with a key other than the component’s', async () => {
    const peer = await activatePeer();
    const stranger = await createKeyPair();
    const opening = await handOpening({
      componentId: peer.identity.componentId,
      recipientId: peer.identity.hubId,
      signingKeyPem: stranger.privateKeyPem,
    });
    await expectRefusal('bad_signature', [...openingSecrets(opening), ...keyMaterial(peer)], () =>
      post(openPath, opening),
    );
  });

  it('refuses a sealed callback with one byte of its ciphertext flipped', async () => {
    const peer = await activatePeer();
    const { sealed } = await holdSealed(peer);
    const data = Buffer.from(sealed.data, 'base64');
    data[data.length >> 1]! ^= 0x01;
    const altered = { ...sealed, data: data.toString('base64') };

    await expectRefusal('decrypt_failed', [sealed.data, altered.data, ...keyMaterial(peer)], () =>
      post(callbacksPath, altered),
    );

    // The forgery must not use up the sequence number: the genuine message still gets in.
    assert.equal((await post(callbacksPath, sealed)).status, 200);
  });

  it('refuses a session opening from a component the hub never activated', async () => {
    const stranger = await createKeyPair();
    const opening = await handOpening({
      componentId: randomUUID(),
      recipientId: hub.context.identity.hubId,
      signingKeyPem: stranger.privateKeyPem,
    });
    await expectRefusal('unknown_sender', openingSecrets(opening), () => post(openPath, opening));
  });

  it('refuses a session opening that claims to come from the hub itself', async () => {
    // Even signed with the hub's own key: the hub is a recipient, never an activated sender.
    const opening = await handOpening({
      componentId: hub.context.identity.hubId,
      recipientId: hub.context.identity.hubId,
      signingKeyPem: hub.context.identity.hubKeys.privateKeyPem,
    });
    await expectRefusal('unknown_sender', [...openingSecrets(opening), ...keyMaterial()], () =>
      post(openPath, opening),
    );
  });

  it('refuses a revoked agent both a new session and a message on its open one', async () => {
    const peer = await activatePeer();
    const { sealed } = await holdSealed(peer);
    const revoked = await fetch(
      `${hub.url}/api/v1/components/${peer.identity.componentId}/revoke`,
      { method: 'POST', headers: { cookie, 'x-strata-request': '1' } },
    );
    assert.equal(revoked.status, 204);

    const transport = new RecordingTransport(hub.url);
    await expectRefusal('revoked_sender', keyMaterial(peer), async () => {
      await clientOf(peer, transport).request(callbacksPath, sampleCallback());
      const { response } = transport.last(openPath);
      return { status: response.status, body: response.body as Answer['body'] };
    });

    // Revocation ends the sender's sessions at once, so the old session is simply gone.
    await expectRefusal('unknown_session', [sealed.data, ...keyMaterial(peer)], () =>
      post(callbacksPath, sealed),
    );
  });

  it('refuses messages on an open session within 30 s of a revocation by another hub', async () => {
    const peer = await activatePeer();
    const first = await holdSealed(peer);
    await first.client.request(callbacksPath, sampleCallback());
    const secondSealed = first.transport.held[1]!;
    // Hubs of one site share the store: a revocation elsewhere shows only as the row changing.
    await hub.context.store.query(
      "UPDATE components SET status = 'revoked', revoked_at = now() WHERE id = $1",
      [peer.identity.componentId],
    );
    assert.equal((await post(callbacksPath, first.sealed)).status, 200, 'not yet re-read');

    clockOffsetMillis = 31_000;
    try {
      await expectRefusal('revoked_sender', [secondSealed.data, ...keyMaterial(peer)], () =>
        post(callbacksPath, secondSealed),
      );
    } finally {
      clockOffsetMillis = 0;
    }
  });

  it('refuses a session opening addressed to another hub', async () => {
    const peer = await activatePeer();
    const opening = await handOpening({
      componentId: peer.identity.componentId,
      recipientId: randomUUID(),
      signingKeyPem: peer.keys.privateKeyPem,
    });
    await expectRefusal('wrong_recipient', [...openingSecrets(opening), ...keyMaterial(peer)], () =>
      post(openPath, opening),
    );
  });

  it('refuses an agent whose certificate has expired, and ends its open session', async () => {
    const peer = await activatePeer();
    const { sealed } = await holdSealed(peer);

    clockOffsetMillis = 366 * dayMillis;
    try {
      const transport = new RecordingTransport(hub.url);
      await expectRefusal('certificate_expired', keyMaterial(peer), async () => {
        await clientOf(peer, transport).request(callbacksPath, sampleCallback());
        const { response } = transport.last(openPath);
        return { status: response.status, body: response.body as Answer['body'] };
      });
      // A session never outlives the certificate it was opened under.
      await expectRefusal('session_expired', [sealed.data, ...keyMaterial(peer)], () =>
        post(callbacksPath, sealed),
      );
    } finally {
      clockOffsetMillis = 0;
    }
  });

  it('refuses the exact same sealed message a second time as replayed', async () => {
    const peer = await activatePeer();
    const { sealed } = await holdSealed(peer);
    assert.equal((await post(callbacksPath, sealed)).status, 200);

    await expectRefusal('replayed', [sealed.data, ...keyMaterial(peer)], () =>
      post(callbacksPath, sealed),
    );
  });

  it('refuses a session opening sent a second time, its challenge being used up', async () => {
    const peer = await activatePeer();
    const { opening } = await holdSealed(peer);

    await expectRefusal('stale_challenge', [...openingSecrets(opening), ...keyMaterial(peer)], () =>
      post(openPath, opening),
    );
  });

  it('refuses a body larger than 8 MiB without reading it into the store', async () => {
    const filler = 'A'.repeat(maxMessageBytes + 1);
    const body = { session: 'x'.repeat(32), seq: 1, nonce: 'AAAAAAAAAAAAAAAA', data: filler };
    await expectRefusal('oversized', [filler], () => post(callbacksPath, body));
  });

  it('refuses a body that is not JSON', async () => {
    const payload = randomBytes(48).toString('base64');
    const text = `{"session": "abc", "seq": 1, "data": ${payload}`;
    await expectRefusal('malformed', [payload], () => postText(callbacksPath, text));
  });

  it('refuses JSON that does not have the shape of a sealed message', async () => {
    const body = { session: 'abc', seq: -1, nonce: 'AAAA', data: 'UVVKRFFVSkRRVUpEUVVKRA==' };
    await expectRefusal('malformed', [body.data], () => post(callbacksPath, body));
  });

  it('refuses a session opening that does not have the expected shape', async () => {
    const body = { open: { componentId: randomUUID() }, signature: 42 };
    await expectRefusal('malformed', [], () => post(openPath, body));
  });

  it('refuses a decrypted callback that does not fit the schema', async () => {
    const peer = await activatePeer();
    const misfit: CallbackV1 = { ...sampleCallback(), cpuPercent: 250 };
    const { sealed } = await holdSealed(peer, misfit);

    await expectRefusal('invalid_callback', [sealed.data, ...keyMaterial(peer)], () =>
      post(callbacksPath, sealed),
    );
  });

  it('refuses as invalid a callback that fits the schema but not the store', async () => {
    const peer = await activatePeer();
    const misfits: Array<(callback: CallbackV1) => void> = [
      (callback) => (callback.callbackId = `urn:uuid:${randomUUID()}`),
      (callback) => (callback.sampledAt = '0000-01-01T00:00:00Z'),
      (callback) => (callback.users[0]!.loggedInAt = '2024-05-01T08:00:00+20:00'),
      (callback) => (callback.processes[0]!.pid = 3_000_000_000),
      (callback) => (callback.processes[0]!.command = 'worker\u0000--serve'),
      (callback) => (callback.machine.memory.totalBytes = 1e300),
      (callback) => (callback.cpuPercent = 1e-320),
    ];
    const { client, transport } = await holdSealed(peer);
    for (const spoil of misfits) {
      const callback = sampleCallback();
      spoil(callback);
      await client.request(callbacksPath, callback);
      const sealed = transport.held.at(-1)!;

      await expectRefusal('invalid_callback', [sealed.data, ...keyMaterial(peer)], () =>
        post(callbacksPath, sealed),
      );
    }
  });

  describe('intake of a callback delivered twice', () => {
    it('acknowledges both deliveries, the second as a duplicate, and stores it once', async () => {
      const peer = await activatePeer();
      const transport = new RecordingTransport(hub.url);
      const client = clientOf(peer, transport);
      const callback = sampleCallback('desk-twice');
      const rejectionsBefore = await statusRejections();

      const first = await client.request(callbacksPath, callback);
      const second = await client.request(callbacksPath, callback);

      assert.deepEqual(first, {
        kind: 'reply',
        body: { callbackId: callback.callbackId, status: 'stored' },
      });
      assert.deepEqual(second, {
        kind: 'reply',
        body: { callbackId: callback.callbackId, status: 'duplicate' },
      });
      const sent = transport.exchanges.filter((exchange) => exchange.path === callbacksPath);
      assert.deepEqual(
        sent.map((exchange) => (exchange.body as SealedMessage).seq),
        [1, 2],
        'two distinct messages on one session',
      );
      const count = async (table: string) => {
        const rows = await hub.context.store.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${table} WHERE callback_id = $1`,
          [callback.callbackId],
        );
        return rows[0]!.n;
      };
      assert.equal(await count('callbacks'), 1);
      assert.equal(await count('machine_samples'), 1);
      assert.equal(await count('process_samples'), sampleProcessCount);
      const machines = await hub.context.store.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM machines WHERE agent_id = $1',
        [peer.identity.componentId],
      );
      assert.equal(machines[0]!.n, 1);
      assert.deepEqual(await statusRejections(), rejectionsBefore, 'a duplicate is no refusal');
    });

    it('stores it once when the two deliveries race each other on two sessions', async () => {
      const peer = await activatePeer();
      const callback = sampleCallback('desk-race');
      const clients = [1, 2].map(() => clientOf(peer, new RecordingTransport(hub.url)));

      const results = await Promise.all(
        clients.map((client) => client.request(callbacksPath, callback)),
      );

      const statuses = results.map((result) => {
        assert.equal(result.kind, 'reply');
        return (result.body as { status: string }).status;
      });
      assert.deepEqual(statuses.sort(), ['duplicate', 'stored']);
      const rows = await hub.context.store.query<{ table: string; n: number }>(
        `SELECT 'callbacks' AS table, count(*)::int AS n FROM callbacks WHERE callback_id = $1
         UNION ALL SELECT 'samples', count(*)::int FROM machine_samples WHERE callback_id = $1
         UNION ALL SELECT 'processes', count(*)::int FROM process_samples WHERE callback_id = $1`,
        [callback.callbackId],
      );
      assert.deepEqual(
        rows.map((row) => [row.table, row.n]),
        [
          ['callbacks', 1],
          ['samples', 1],
          ['processes', sampleProcessCount],
        ],
      );
    });
  });
});
