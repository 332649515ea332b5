/**
 * A callback collector through store outages, a full queue, a full disk and a damaged
 * segment, on the store under test. Whatever it acknowledged ends up stored exactly once.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { listSegments, segmentName } from '../../src/collector/queue/segment-files.js';
import { realisticCallback } from '../support/realistic-callback.js';
import { storeOutage, type StoreOutage } from '../support/store-outage.js';
import {
  activateTestAgent,
  startTestCollector,
  type TestAgent,
  type TestCollector,
} from '../support/test-collector.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';
import { skipUnlessProvided } from '../support/needs.js';

async function until(what: string, probe: () => Promise<boolean>, timeoutMillis = 30_000) {
  const deadline = Date.now() + timeoutMillis;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe(`a callback collector through outages (${storeKind} store)`, () => {
  let hub: TestHub;
  let outage: StoreOutage;
  let collector: TestCollector;
  let agent: TestAgent;
  const extra: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    hub = await startTestHub();
    outage = storeOutage(hub);
    agent = await activateTestAgent(hub);
  });

  afterEach(async () => {
    await collector?.cleanup();
    await outage.close();
    await hub.cleanup();
    for (const step of extra.splice(0)) await step();
  });

  const send = (target: TestCollector, callback = realisticCallback('desk-outage')) =>
    agent
      .to({ id: target.identity.componentId, url: target.url, publicKeyPem: target.publicKeyPem })
      .request('/api/v1/callbacks', callback)
      .then((result) => ({ callback, result }));

  const storedIds = async () => {
    const rows = await (outage.store() ?? hub.context.store).query<{ callback_id: string }>(
      'SELECT callback_id FROM callbacks',
    );
    return new Set(rows.map((row) => row.callback_id));
  };

  it('queues while the store is away, refuses at its ceiling, drains when back', async () => {
    collector = await startTestCollector(hub, { config: { maxQueueBytes: 65_536 } });
    const first = await send(collector);
    assert.equal(first.result.kind, 'reply');
    await until('the first callback stored', async () =>
      (await storedIds()).has(first.callback.callbackId),
    );

    await outage.goAway();
    const acknowledged = [first.callback.callbackId];
    let refusal: { code: string; retryAfterSeconds?: number } | null = null;
    for (let attempt = 0; attempt < 20 && !refusal; attempt++) {
      const { callback, result } = await send(collector);
      if (result.kind === 'reply') acknowledged.push(callback.callbackId);
      else refusal = result;
    }
    assert.ok(acknowledged.length >= 3, `acknowledged while away: ${acknowledged.length - 1}`);
    assert.equal(refusal?.code, 'queue_full');
    assert.ok((refusal?.retryAfterSeconds ?? 0) > 0, 'the refusal says when to come back');
    assert.equal(collector.counters.refused.queue_full, 1);

    await outage.comeBack();
    await until('every acknowledged callback stored', async () => {
      const stored = await storedIds();
      return acknowledged.every((id) => stored.has(id));
    });
    assert.equal((await storedIds()).size, acknowledged.length, 'none stored twice or unasked');
    assert.equal((await send(collector)).result.kind, 'reply', 'taking callbacks again');
  });

  it('sets a damaged record aside at start, reports it, and drains the rest', async () => {
    collector = await startTestCollector(hub, { config: { reportIntervalSeconds: 1 } });
    assert.equal((await send(collector)).result.kind, 'reply'); // the collector knows the agent
    await outage.goAway();
    const sent: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { callback, result } = await send(collector);
      assert.equal(result.kind, 'reply');
      sent.push(callback.callbackId);
    }
    const dataDir = collector.dataDir;
    await collector.close();
    await damageRecordOf(join(dataDir, 'queue'), sent[1]!);

    await outage.comeBack();
    collector = await startTestCollector(hub, { dataDir, config: { reportIntervalSeconds: 1 } });
    await until('the undamaged callbacks stored', async () => {
      const stored = await storedIds();
      return stored.has(sent[0]!) && stored.has(sent[2]!);
    });
    assert.equal((await storedIds()).has(sent[1]!), false);
    assert.equal(collector.queue.stats().setAside.damaged_record.count, 1);

    await collector.reporter.reportNow();
    const cookie = await hub.signInAsAdmin();
    const status = (await (
      await fetch(`${hub.url}/api/v1/status`, { headers: { cookie } })
    ).json()) as {
      collectors: Array<{ setAside: Record<string, number> }>;
    };
    assert.equal(
      status.collectors[0]!.setAside.damaged_record,
      1,
      'the hub shows what was set aside',
    );
  });

  it(
    'answers 503 on a full disk, keeps what it acknowledged, and takes callbacks once drained',
    { skip: skipUnlessProvided(process.getuid?.() === 0 ? false : 'root, to mount a tmpfs') },
    async () => {
      const mountDir = await mkdtemp(join(tmpdir(), 'strata-tmpfs-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', mountDir]);
      extra.push(async () => {
        execFileSync('umount', [mountDir]);
        await rm(mountDir, { recursive: true, force: true });
      });
      collector = await startTestCollector(hub, {
        dataDir: join(mountDir, 'collector'),
        segmentMaxBytes: 512 * 1024,
        config: { minFreeDiskBytes: 0 },
      });
      const first = await send(collector); // the collector knows the agent from here on
      assert.equal(first.result.kind, 'reply');
      await until('the first callback stored', async () =>
        (await storedIds()).has(first.callback.callbackId),
      );
      await outage.goAway();
      const acknowledged: string[] = [];
      let refusal: { code: string } | null = null;
      for (let attempt = 0; attempt < 400 && !refusal; attempt++) {
        const { callback, result } = await send(collector);
        if (result.kind === 'reply') acknowledged.push(callback.callbackId);
        else refusal = result;
      }
      assert.ok(
        acknowledged.length > 20,
        `acknowledged before the disk filled: ${acknowledged.length}`,
      );
      assert.ok(
        ['disk_nearly_full', 'queue_write_failed'].includes(refusal?.code ?? ''),
        refusal?.code,
      );

      await outage.comeBack();
      await until('every acknowledged callback stored', async () => {
        const stored = await storedIds();
        return acknowledged.every((id) => stored.has(id));
      });
      assert.equal((await storedIds()).size, acknowledged.length + 1, 'the first one too');
      await until(
        'taking callbacks again',
        async () => (await send(collector)).result.kind === 'reply',
      );
    },
  );
});

/** Flips one byte inside the queued record of `callbackId`, as a bad sector would. */
async function damageRecordOf(queueDir: string, callbackId: string) {
  for (const seq of await listSegments(queueDir)) {
    const path = join(queueDir, segmentName(seq));
    const bytes = await readFile(path);
    const at = bytes.indexOf(callbackId);
    if (at === -1) continue;
    bytes[at + 3] = bytes[at + 3]! ^ 0xff;
    await writeFile(path, bytes);
    return;
  }
  throw new Error(`no queued record holds ${callbackId}`);
}
