import { decodeCallback } from '../../intake/decode-callback.js';
import type { ChannelServer } from '../../protocol/channel-server.js';
import { MessageRejected } from '../../protocol/rejection.js';
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

  // The agent's own bytes go to disk as they came: no second serialisation on the hot path.
  const agentId = session.senderId;
  const receivedAtMillis = parts.nowMillis();
  const head = `{"agentId":"${agentId}","receivedAtMillis":${receivedAtMillis},"callback":`;
  let position;
  try {
    position = await parts.queue.append(
      Buffer.concat([Buffer.from(head), plaintext, Buffer.from('}')]),
    );
  } catch {
    void parts.admission.refresh();
    throw new IntakeRefused('queue_write_failed');
  }
  parts.parsed.put(position.segment, position.end, {
    agentId,
    callback: decoded.callback,
    receivedAtMillis,
  });
  parts.counters.accepted++;
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
