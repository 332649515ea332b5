import { checkParsedCallback, decodeCallback } from '../../intake/decode-callback.js';
import { decodeBatch, claimedCallbackId, type CallbackAck } from '../../protocol/callback-batch.js';
import type { CallbackV1 } from '../../protocol/callback-schema.js';
import type { ChannelServer } from '../../protocol/channel-server.js';
import { MessageRejected, type RejectionCounter } from '../../protocol/rejection.js';
import type { SealedMessage } from '../../protocol/channel-messages.js';
import type { DiskQueue } from '../queue/disk-queue.js';
import type { IntakeCounters } from './intake-counters.js';
import { IntakeRefused } from './intake-refusals.js';
import type { ParsedCallbacks } from './parsed-callbacks.js';
import type { QueueAdmission } from './queue-admission.js';

export interface ReceiverParts {
  collectorId: string;
  channel: ChannelServer;
  queue: DiskQueue;
  admission: QueueAdmission;
  counters: IntakeCounters;
  nowMillis: () => number;
  /** False while the collector stops: new callbacks are sent elsewhere. */
  accepting: () => boolean;
  parsed: ParsedCallbacks;
  /** Where callbacks refused inside a batch are counted, as refused messages are. */
  rejections?: RejectionCounter;
}

/** What the drainer finds in each queued record: the sender, the arrival time, the callback. */
export interface QueuedEnvelope {
  agentId: string;
  receivedAtMillis: number;
  callback: unknown;
}

/**
 * Takes one sealed callback from an agent: checks and decrypts it, validates it, queues it
 * durably, and only then answers with the sealed acknowledgement. Refusals are thrown:
 * MessageRejected for a message that is wrong, IntakeRefused (503) for "not now".
 */
export async function receiveCallback(parts: ReceiverParts, body: unknown): Promise<SealedMessage> {
  const { session, plaintext } = await parts.channel.receive(body);
  const decoded = decodeCallback(plaintext);
  if (!decoded.ok) throw new MessageRejected('invalid_callback', decoded.problem);
  if (!parts.accepting()) throw new IntakeRefused('stopping');
  const refusal = parts.admission.check(plaintext.length);
  if (refusal) throw new IntakeRefused(refusal);

  await enqueue(parts, session.senderId, plaintext, decoded.callback);
  const ack = {
    callbackId: decoded.callback.callbackId,
    status: 'queued',
    collectorId: parts.collectorId,
  };
  return parts.channel.reply(
    session,
    (body as { seq: number }).seq,
    Buffer.from(JSON.stringify(ack)),
  );
}

/**
 * Takes one sealed batch of callbacks from an agent working off a backlog: each valid one is
 * queued durably as a callback of its own, each invalid one refused on its own, and the answer
 * lists them in the order sent. Back-pressure refuses the whole batch (503), as for one.
 */
export async function receiveCallbackBatch(
  parts: ReceiverParts,
  body: unknown,
): Promise<SealedMessage> {
  const { session, plaintext } = await parts.channel.receive(body);
  const callbacks = decodeBatch(plaintext);
  if (!parts.accepting()) throw new IntakeRefused('stopping');
  const refusal = parts.admission.check(plaintext.length);
  if (refusal) throw new IntakeRefused(refusal);

  const results: CallbackAck[] = [];
  for (const item of callbacks) {
    const json = Buffer.from(JSON.stringify(item));
    const decoded = checkParsedCallback(item, json);
    if (!decoded.ok) {
      const callbackId = claimedCallbackId(item);
      const message = decoded.problem;
      results.push({ callbackId, status: 'refused', code: 'invalid_callback', message });
      parts.rejections?.add('invalid_callback');
      continue;
    }
    // A failed write refuses the batch: those queued already are queued again on the resend,
    // and the store keeps one of each by callback id.
    await enqueue(parts, session.senderId, json, decoded.callback);
    results.push({ callbackId: decoded.callback.callbackId, status: 'queued' });
  }
  const answer = { results, collectorId: parts.collectorId };
  return parts.channel.reply(
    session,
    (body as { seq: number }).seq,
    Buffer.from(JSON.stringify(answer)),
  );
}

/** Queues one checked callback durably; the agent's bytes go to disk as they came. */
async function enqueue(
  parts: ReceiverParts,
  agentId: string,
  json: Buffer,
  callback: CallbackV1,
): Promise<void> {
  const receivedAtMillis = parts.nowMillis();
  const head = `{"agentId":"${agentId}","receivedAtMillis":${receivedAtMillis},"callback":`;
  let position;
  try {
    position = await parts.queue.append(Buffer.concat([Buffer.from(head), json, Buffer.from('}')]));
  } catch {
    void parts.admission.refresh();
    throw new IntakeRefused('queue_write_failed');
  }
  parts.parsed.put(position.segment, position.end, { agentId, callback, receivedAtMillis });
  parts.counters.accepted++;
}
