import { randomBytes } from 'node:crypto';
import {
  challengeLifetimeMillis,
  isSealedMessage,
  openMessage,
  sealMessage,
  sessionLifetimeMillis,
  sessionProof,
  type ChallengeResponse,
  type SealedMessage,
  type SessionOpen,
  type SessionOpenResponse,
} from './channel-messages.js';
import { MessageRejected } from './rejection.js';
import { ReplayWindow } from './replay-window.js';
import { unwrapKey, verifyBytes } from './sealed-box.js';

/**
 * Most challenges outstanding at once; the oldest go first past this, so a flood costs memory
 * once.
 */
const maxOpenChallenges = 100_000;
/** How often a session re-reads its sender's status, so a revocation bites within this: 30 s. */
const senderRecheckMillis = 30_000;

export interface SenderRecord {
  id: string;
  status: 'active' | 'revoked';
  publicKeyPem: string;
  certificateNotAfter: Date;
}

/** Where the recipient looks up who may send to it. */
export interface SenderDirectory {
  findSender(id: string): Promise<SenderRecord | null>;
}

export interface ChannelSession {
  id: string;
  senderId: string;
  expiresAtMillis: number;
  readonly key: Buffer;
  readonly window: ReplayWindow;
  checkedAtMillis: number;
}

export interface ChannelServerOptions {
  recipientId: string;
  privateKeyPem: string;
  senders: SenderDirectory;
  nowMillis?: () => number;
}

/**
 * The receiving end of the secure channel. A sender opens a session by signing a challenge
 * together with a fresh AES-128 key wrapped to us; later messages are sealed with that key.
 * RSA private-key work happens once per session, never per message.
 */
export class ChannelServer {
  private readonly challenges = new Map<string, { senderId: string; expiresAt: number }>();
  private readonly sessions = new Map<string, ChannelSession>();
  private readonly now: () => number;

  constructor(private readonly options: ChannelServerOptions) {
    this.now = options.nowMillis ?? Date.now;
  }

  get recipientId(): string {
    return this.options.recipientId;
  }

  issueChallenge(senderId: string): ChallengeResponse {
    if (this.challenges.size >= maxOpenChallenges) {
      const oldest = this.challenges.keys().next().value as string;
      this.challenges.delete(oldest);
    }
    const challenge = randomBytes(32).toString('base64');
    this.challenges.set(challenge, { senderId, expiresAt: this.now() + challengeLifetimeMillis });
    return { challenge, recipientId: this.options.recipientId };
  }

  async openSession(body: unknown): Promise<SessionOpenResponse & { senderId: string }> {
    const { open, openBytes, signature } = parseOpenRequest(body);
    const sender = await this.checkSender(open.componentId);
    if (!verifyBytes(sender.publicKeyPem, openBytes, signature)) {
      throw new MessageRejected('bad_signature');
    }
    if (open.recipientId !== this.options.recipientId) throw new MessageRejected('wrong_recipient');

    // Single use: a replayed opening finds its challenge gone.
    const challenge = this.challenges.get(open.challenge);
    this.challenges.delete(open.challenge);
    if (!challenge || challenge.senderId !== sender.id || challenge.expiresAt < this.now()) {
      throw new MessageRejected('stale_challenge');
    }

    if (this.sessions.has(open.sessionId)) {
      throw new MessageRejected('replayed', 'that session id is already in use');
    }
    const key = this.unwrap(open.wrappedKey);
    const expiresAtMillis = Math.min(
      this.now() + sessionLifetimeMillis,
      sender.certificateNotAfter.getTime(),
    );
    this.sessions.set(open.sessionId, {
      id: open.sessionId,
      senderId: sender.id,
      expiresAtMillis,
      key,
      window: new ReplayWindow(),
      checkedAtMillis: this.now(),
    });
    this.dropExpiredSessions();
    return {
      sessionId: open.sessionId,
      expiresAt: new Date(expiresAtMillis).toISOString(),
      proof: sessionProof(key, open.sessionId),
      senderId: sender.id,
    };
  }

  /** Checks and decrypts one message; throws MessageRejected with the reason when it fails. */
  async receive(body: unknown): Promise<{ session: ChannelSession; plaintext: Buffer }> {
    if (!isSealedMessage(body)) throw new MessageRejected('malformed');
    const session = this.sessions.get(body.session);
    if (!session) throw new MessageRejected('unknown_session');
    if (session.expiresAtMillis < this.now()) {
      this.sessions.delete(session.id);
      throw new MessageRejected('session_expired');
    }
    if (this.now() - session.checkedAtMillis > senderRecheckMillis) {
      await this.checkSender(session.senderId).catch((error: unknown) => {
        this.sessions.delete(session.id);
        throw error;
      });
      session.checkedAtMillis = this.now();
    }

    let plaintext: Buffer;
    try {
      plaintext = openMessage(session.key, body, 'up');
    } catch {
      throw new MessageRejected('decrypt_failed');
    }
    // Only a message that decrypted may move the window; otherwise a forger could burn numbers.
    if (!session.window.accept(body.seq)) throw new MessageRejected('replayed');
    return { session, plaintext };
  }

  /** Seals the reply to message `seq` of `session`. */
  reply(session: ChannelSession, seq: number, plaintext: Buffer): SealedMessage {
    return sealMessage(session.key, session.id, seq, 'down', plaintext);
  }

  /** Forgets every session of a sender at once (used when it is revoked). */
  endSessionsOf(senderId: string): void {
    for (const [id, session] of this.sessions)
      if (session.senderId === senderId) this.sessions.delete(id);
  }

  private async checkSender(senderId: string): Promise<SenderRecord> {
    const sender = await this.options.senders.findSender(senderId);
    if (!sender) throw new MessageRejected('unknown_sender');
    if (sender.status === 'revoked') throw new MessageRejected('revoked_sender');
    if (sender.certificateNotAfter.getTime() < this.now()) {
      throw new MessageRejected('certificate_expired');
    }
    return sender;
  }

  private unwrap(wrappedKey: string): Buffer {
    try {
      return unwrapKey(this.options.privateKeyPem, Buffer.from(wrappedKey, 'base64'));
    } catch {
      throw new MessageRejected('decrypt_failed', 'the session key is not wrapped for us');
    }
  }

  private dropExpiredSessions(): void {
    const now = this.now();
    for (const [id, session] of this.sessions)
      if (session.expiresAtMillis < now) this.sessions.delete(id);
  }
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function parseOpenRequest(body: unknown) {
  const request = body as { open?: unknown; signature?: unknown } | null;
  if (typeof request?.open !== 'string' || typeof request.signature !== 'string') {
    throw new MessageRejected('malformed');
  }
  const openBytes = Buffer.from(request.open, 'base64');
  let open: SessionOpen;
  try {
    open = JSON.parse(openBytes.toString('utf8')) as SessionOpen;
  } catch {
    throw new MessageRejected('malformed', 'the session opening is not JSON');
  }
  const fields = [
    open.componentId,
    open.recipientId,
    open.challenge,
    open.sessionId,
    open.wrappedKey,
  ];
  if (fields.some((field) => typeof field !== 'string') || !uuidPattern.test(open.componentId)) {
    throw new MessageRejected('malformed', 'the session opening lacks a field');
  }
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(open.sessionId)) {
    throw new MessageRejected('malformed', 'the session id is not well formed');
  }
  return { open, openBytes, signature: Buffer.from(request.signature, 'base64') };
}
