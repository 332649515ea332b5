import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { silentLogger } from '../../shared/logger.js';
import type { HubAnswer } from '../hub-link.js';
import { readFlowBatch } from '../network/flow-batch-reader.js';
import { DiskQueue } from '../queue/disk-queue.js';
import { FlowOutbox } from './flow-outbox.js';
import { FlowSender, type StoredAnswer } from './flow-sender.js';
import { newDeliveryCounters, type NetworkCollectorStatus } from './network-status.js';
import { flowRecord } from '../../../test/support/flow-records.js';

type Answer = HubAnswer<StoredAnswer>;
const stored: Answer = {
  kind: 'answer',
  body: { records: 1, duplicate: false, networkDeliverySeconds: 60 },
};

describe('flow delivery', () => {
  let dir: string;
  let queue: DiskQueue;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-flows-'));
    queue = (await DiskQueue.open({ dir: join(dir, 'queue') })).queue;
  });
  afterEach(async () => {
    await queue.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes one batch of one record per port, as the collector does at each interval. */
  async function queueBatches(...ports: number[]) {
    const outbox = new FlowOutbox(queue, newDeliveryCounters(), silentLogger());
    for (const port of ports) {
      outbox.add(flowRecord({ origPort: port }));
      await outbox.flush();
    }
  }

  /**
   * A sender whose hub answers from `answers` in turn, then `otherwise`; its waits are
   * recorded, and it stops itself after `maxWaits` of them.
   */
  function sender(answers: Answer[], otherwise = stored, maxWaits = Infinity) {
    const sent: number[] = [];
    const waits: number[] = [];
    const counters = newDeliveryCounters();
    const flows = new FlowSender({
      queue,
      counters,
      send: async (batch) => {
        sent.push(readFlowBatch(Buffer.from(batch, 'base64')).records[0]!.origPort);
        return answers.shift() ?? otherwise;
      },
      status: () => ({}) as NetworkCollectorStatus,
      deliverySeconds: 60,
      refusedDir: join(dir, 'refused'),
      log: silentLogger(),
      sleep: async (millis) => {
        if (waits.push(millis) >= maxWaits) void flows.stop();
      },
    });
    return { flows, sent, waits, counters };
  }

  it('keeps every batch on disk until the hub has stored it, across a restart', async () => {
    await queueBatches(1, 2);
    const away = sender([], { kind: 'unreachable', message: 'connection refused' }, 3);
    await away.flows.deliverAll();
    assert.equal(queue.stats().records, 2);
    assert.equal(away.counters.hubUnreachable, 3);
    assert.deepEqual(away.waits.slice(0, 3), [1_000, 2_000, 4_000]);

    await queue.close();
    queue = (await DiskQueue.open({ dir: join(dir, 'queue') })).queue;
    const back = sender([]);
    await back.flows.deliverAll();

    assert.deepEqual(back.sent, [1, 2]);
    assert.equal(queue.stats().records, 0);
    assert.equal(back.counters.batchesDelivered, 2);
  });

  it('waits as long as the hub asks when it answers 503 with Retry-After', async () => {
    await queueBatches(7);
    const busy: Answer = {
      kind: 'refused',
      status: 503,
      code: 'hub_busy',
      message: 'later',
      retryAfterSeconds: 7,
    };
    const { flows, sent, waits, counters } = sender([busy, busy]);

    await flows.deliverAll();

    assert.deepEqual(sent, [7, 7, 7]);
    assert.deepEqual(waits, [7_000, 7_000]);
    assert.equal(counters.hubBusy, 2);
    assert.equal(queue.stats().records, 0);
  });

  it('sets aside a batch the hub cannot read, counts it, and goes on with the next', async () => {
    await queueBatches(1, 2);
    const invalid: Answer = {
      kind: 'refused',
      status: 400,
      code: 'invalid_network_batch',
      message: 'bad',
    };
    const { flows, sent, counters } = sender([invalid]);

    await flows.deliverAll();

    assert.deepEqual(sent, [1, 2]);
    assert.equal(counters.refused, 1);
    const kept = await readdir(join(dir, 'refused'));
    assert.equal(
      readFlowBatch(await readFile(join(dir, 'refused', kept[0]!))).records[0]!.origPort,
      1,
    );
  });

  it('sets a damaged batch aside when the queue opens, counts it, and sends the rest', async () => {
    await queueBatches(1, 2, 3);
    await queue.close();
    const [segment] = (await readdir(join(dir, 'queue'))).filter((name) => name.endsWith('.seg'));
    const path = join(dir, 'queue', segment!);
    const bytes = await readFile(path);
    // A byte in the middle of the second record's payload: its checksum no longer matches.
    const second = bytes.indexOf(Buffer.from('SNF1'), bytes.indexOf(Buffer.from('SNF1')) + 1);
    bytes[second + 60]! ^= 0xff;
    await writeFile(path, bytes);

    const reopened = await DiskQueue.open({ dir: join(dir, 'queue') });
    queue = reopened.queue;
    const { flows, sent } = sender([]);
    await flows.deliverAll();

    assert.deepEqual(
      reopened.setAside.map((s) => s.reason),
      ['damaged_record'],
    );
    assert.equal(queue.stats().setAside.damaged_record.count, 1);
    assert.deepEqual(sent, [1, 3]);
  });
});
