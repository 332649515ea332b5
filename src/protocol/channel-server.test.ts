import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { before, beforeEach, describe, it } from 'node:test';
import { sealMessage, type SessionOpen } from './channel-messages.js';
import { ChannelServer, type SenderRecord } from './channel-server.js';
import { createKeyPair, type KeyPairPem } from './key-pair.js';
import { MessageRejected, type RejectionReason } from './rejection.js';
import { aesKeyBytes, signBytes, wrapKey } from './sealed-box.js';

const minuteMillis = 60_000;

describe('the receiving end of the secure channel', () => {
  let hubKeys: KeyPairPem;
  let senderKeys: KeyPairPem;
  let sender: SenderRecord;
  let nowMillis: number;
  let server: ChannelServer;
  const hubId = randomUUID();

  before(async () => {
    [hubKeys, senderKeys] = await Promise.all([createKeyPair(), createKeyPair()]);
  });

  beforeEach(() => {
    nowMillis = Date.parse('2025-03-01T09:00:00Z');
    sender = {
      id: randomUUID(),
      status: 'active',
      publicKeyPem: senderKeys.publicKeyPem,
      certificateNotAfter: new Date(nowMillis + 365 * 24 * 60 * minuteMillis),
    };
    server = new ChannelServer({
      recipientId: hubId,
      privateKeyPem: hubKeys.privateKeyPem,
      senders: { findSender: async (id) => (id === sender.id ? { ...sender } : null) },
      nowMillis: () => nowMillis,
    });
  });

  /** A signed session opening for `sender`, answering `challenge`. */
  function opening(challenge: string) {
    const key = randomBytes(aesKeyBytes);
    const open: SessionOpen = {
      componentId: sender.id,
      recipientId: hubId,
      challenge,
      sessionId: randomBytes(24).toString('base64url'),
      wrappedKey: wrapKey(hubKeys.publicKeyPem, key).toString('base64'),
      sentAt: new Date(nowMillis).toISOString(),
    };
    const bytes = Buffer.from(JSON.stringify(open));
    const body = {
      open: bytes.toString('base64'),
      signature: signBytes(senderKeys.privateKeyPem, bytes).toString('base64'),
    };
    return { body, key, sessionId: open.sessionId };
  }

  async function openSession() {
    const { body, key, sessionId } = opening(server.issueChallenge(sender.id).challenge);
    await server.openSession(body);
    return { key, sessionId };
  }

  const message = (session: { key: Buffer; sessionId: string }, seq: number) =>
    sealMessage(session.key, session.sessionId, seq, 'up', Buffer.from(`{"n":${seq}}`));

  async function refusal(work: Promise<unknown>): Promise<RejectionReason> {
    const error = await work.then(
      () => assert.fail('the message was accepted'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof MessageRejected, String(error));
    return error.code;
  }

  it('refuses a challenge answered after its 60 seconds', async () => {
    const { challenge } = server.issueChallenge(sender.id);
    nowMillis += minuteMillis + 1;

    assert.equal(await refusal(server.openSession(opening(challenge).body)), 'stale_challenge');
  });

  it('refuses a challenge that was issued to another sender', async () => {
    const { challenge } = server.issueChallenge(randomUUID());

    assert.equal(await refusal(server.openSession(opening(challenge).body)), 'stale_challenge');
  });

  it('refuses a second session under a session id already in use', async () => {
    const first = opening(server.issueChallenge(sender.id).challenge);
    await server.openSession(first.body);
    const second = opening(server.issueChallenge(sender.id).challenge);
    const reused = JSON.parse(Buffer.from(second.body.open, 'base64').toString('utf8'));
    reused.sessionId = first.sessionId;
    const bytes = Buffer.from(JSON.stringify(reused));
    const body = {
      open: bytes.toString('base64'),
      signature: signBytes(senderKeys.privateKeyPem, bytes).toString('base64'),
    };

    assert.equal(await refusal(server.openSession(body)), 'replayed');
  });

  it('sees a revocation on an open session within 30 seconds', async () => {
    const session = await openSession();
    await server.receive(message(session, 1));
    sender.status = 'revoked';

    // Re-reading the sender on every message would cost a query each; 30 s bounds the delay.
    nowMillis += 10_000;
    await server.receive(message(session, 2));
    nowMillis += 21_000;
    assert.equal(await refusal(server.receive(message(session, 3))), 'revoked_sender');
    assert.equal(await refusal(server.receive(message(session, 4))), 'unknown_session');
  });

  it('ends a session when the sender’s certificate expires, even within the hour', async () => {
    sender.certificateNotAfter = new Date(nowMillis + 10 * minuteMillis);
    const session = await openSession();
    await server.receive(message(session, 1));

    nowMillis += 10 * minuteMillis + 1;
    assert.equal(await refusal(server.receive(message(session, 2))), 'session_expired');
  });

  it('ends a session after an hour even when nothing else changed', async () => {
    const session = await openSession();
    nowMillis += 60 * minuteMillis + 1;

    assert.equal(await refusal(server.receive(message(session, 1))), 'session_expired');
  });

  it('refuses a message moved to another sequence number or direction', async () => {
    const session = await openSession();
    const sealed = message(session, 1);
    const reflected = sealMessage(session.key, session.sessionId, 2, 'down', Buffer.from('{}'));

    assert.equal(await refusal(server.receive({ ...sealed, seq: 7 })), 'decrypt_failed');
    assert.equal(await refusal(server.receive(reflected)), 'decrypt_failed');
    // Neither forgery used up a number: the genuine messages still get in.
    await server.receive(sealed);
    await server.receive(message(session, 7));
  });

  it('forgets every session of a sender at once', async () => {
    const sessions = [await openSession(), await openSession()];
    server.endSessionsOf(sender.id);

    for (const session of sessions) {
      assert.equal(await refusal(server.receive(message(session, 1))), 'unknown_session');
    }
  });
});
