import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  openMessage,
  sealMessage,
  sessionProof,
  type ChallengeResponse,
  type SealedMessage,
  type SessionOpen,
  type SessionOpenResponse,
} from './channel-messages.js';
import { aesKeyBytes, signBytes, wrapKey } from './sealed-box.js';

// Open a new session this long before the current one ends, so no message races the end.
const renewBeforeMillis = 5 * 60_000;

/** An answer from the far end: HTTP status and parsed JSON body. */
export interface TransportResponse {
  status: number;
  body: unknown;
  retryAfterSeconds?: number;
}

/** How the client reaches its recipient; injected so tests and failover can swap it. */
export interface Transport {
  post(path: string, body: unknown): Promise<TransportResponse>;
}

export interface ChannelClientOptions {
  componentId: string;
  privateKeyPem: string;
  recipientId: string;
  recipientPublicKeyPem: string;
  transport: Transport;
  nowMillis?: () => number;
}

/** What a sealed request produced: a decrypted reply, or the refusal the far end gave. */
export type ChannelResult =
  | { kind: 'reply'; body: unknown }
  | { kind: 'refused'; status: number; code: string; message: string; retryAfterSeconds?: number };

interface OpenSession {
  id: string;
  key: Buffer;
  expiresAtMillis: number;
  nextSeq: number;
}

/** The sending end of the secure channel (see ChannelServer). */
export class ChannelClient {
  private session: OpenSession | null = null;
  private readonly now: () => number;

  constructor(private readonly options: ChannelClientOptions) {
    this.now = options.nowMillis ?? Date.now;
  }

  /** Sends `payload` sealed to `path`; opens or renews the session as needed, once. */
  async request(path: string, payload: unknown): Promise<ChannelResult> {
    return this.requestSerialized(path, Buffer.from(JSON.stringify(payload)));
  }

  /** As `request`, for a payload already serialised as JSON (a load generator's shortcut). */
  async requestSerialized(path: string, json: Buffer): Promise<ChannelResult> {
    const first = await this.attempt(path, json);
    if (first.kind === 'refused' && isSessionLost(first.code)) {
      this.session = null; // the far end restarted or forgot us: one fresh session, then report
      return this.attempt(path, json);
    }
    return first;
  }

  /** Forgets the session, so the next request opens a new one. */
  reset(): void {
    this.session = null;
  }

  private async attempt(path: string, json: Buffer): Promise<ChannelResult> {
    const opened = await this.ensureSession();
    if (opened.kind === 'refused') return opened;
    const session = opened.session;
    const seq = session.nextSeq++;
    const sealed = sealMessage(session.key, session.id, seq, 'up', json);

    const response = await this.options.transport.post(path, sealed);
    if (response.status !== 200) return refusal(response);
    const reply = response.body as SealedMessage;
    if (reply?.session !== session.id || reply.seq !== seq) {
      throw new Error('the reply does not belong to the request');
    }
    const plaintext = openMessage(session.key, reply, 'down');
    return { kind: 'reply', body: JSON.parse(plaintext.toString('utf8')) };
  }

  private async ensureSession(): Promise<
    { kind: 'open'; session: OpenSession } | Extract<ChannelResult, { kind: 'refused' }>
  > {
    if (this.session && this.session.expiresAtMillis - renewBeforeMillis > this.now()) {
      return { kind: 'open', session: this.session };
    }
    const { componentId, privateKeyPem, recipientId, recipientPublicKeyPem, transport } =
      this.options;

    const challengeAnswer = await transport.post('/api/v1/channel/challenge', { componentId });
    if (challengeAnswer.status !== 200) return refusal(challengeAnswer);
    const { challenge } = challengeAnswer.body as ChallengeResponse;

    const key = randomBytes(aesKeyBytes);
    const open: SessionOpen = {
      componentId,
      recipientId,
      challenge,
      sessionId: randomBytes(24).toString('base64url'),
      wrappedKey: wrapKey(recipientPublicKeyPem, key).toString('base64'),
      sentAt: new Date(this.now()).toISOString(),
    };
    const openBytes = Buffer.from(JSON.stringify(open));
    const signature = signBytes(privateKeyPem, openBytes).toString('base64');
    const answer = await transport.post('/api/v1/channel/open', {
      open: openBytes.toString('base64'),
      signature,
    });
    if (answer.status !== 200) return refusal(answer);

    const accepted = answer.body as SessionOpenResponse;
    const expected = Buffer.from(sessionProof(key, open.sessionId));
    const proof = Buffer.from(String(accepted.proof));
    if (expected.length !== proof.length || !timingSafeEqual(expected, proof)) {
      throw new Error('the recipient could not prove it holds its key; refusing to send');
    }
    this.session = {
      id: open.sessionId,
      key,
      expiresAtMillis: Date.parse(accepted.expiresAt),
      nextSeq: 1,
    };
    return { kind: 'open', session: this.session };
  }
}

function isSessionLost(code: string): boolean {
  return code === 'unknown_session' || code === 'session_expired';
}

function refusal(response: TransportResponse): Extract<ChannelResult, { kind: 'refused' }> {
  const body = (response.body ?? {}) as { code?: unknown; message?: unknown };
  return {
    kind: 'refused',
    status: response.status,
    code: typeof body.code === 'string' ? body.code : `http_${response.status}`,
    message: typeof body.message === 'string' ? body.message : 'no message',
    ...(response.retryAfterSeconds === undefined
      ? {}
      : { retryAfterSeconds: response.retryAfterSeconds }),
  };
}
