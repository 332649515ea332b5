/**
 * A network collector reading a capture file delivers its flow records to the hub, which
 * stores them attributed (by address, and by the connection its agent reported) and serves
 * them per machine, user, application, protocol and destination; on the store under test.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileCaptureSource } from '../../src/collector/capture/capture-source.js';
import {
  startNetworkCollector,
  type RunningNetworkCollector,
} from '../../src/collector/network-collector.js';
import { silentLogger } from '../../src/shared/logger.js';
import { desk, deskCallback, writeDeskCapture } from '../support/desk-traffic.js';
import { activateTestAgent, issueToken } from '../support/test-collector.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

const conversations = 5;

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe(`network flows from a collector to the hub (${storeKind} store)`, () => {
  let hub: TestHub;
  let collector: RunningNetworkCollector;
  let dir: string;
  let cookie: string;
  const startSeconds = Math.floor(Date.now() / 1_000) - 600;

  before(async () => {
    hub = await startTestHub();
    cookie = await hub.signInAsAdmin();
    dir = await mkdtemp(join(tmpdir(), 'strata-network-'));

    // The desktop's agent reports its address, and the first conversation with its process.
    const agent = await activateTestAgent(hub, 'desk-42');
    const stored = await agent.hub.request('/api/v1/callbacks', deskCallback());
    assert.equal(stored.kind, 'reply');
    const capture = join(dir, 'desk.pcap');
    await writeDeskCapture(capture, startSeconds, conversations);
    collector = await startNetworkCollector({
      dataDir: join(dir, 'collector'),
      hubUrl: hub.url,
      token: await issueToken(hub, 'collector'),
      source: fileCaptureSource(capture),
      deliverySeconds: 1,
      logger: silentLogger(),
    });
    await collector.inputDone;
  });

  after(async () => {
    await collector?.close();
    await hub?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  const api = async (path: string) => {
    const response = await fetch(`${hub.url}${path}`, { headers: { cookie } });
    assert.equal(response.status, 200, path);
    return (await response.json()) as Record<string, Array<Record<string, unknown>>>;
  };
  const iso = (millis: number) => new Date(millis).toISOString();
  const range = `from=${iso((startSeconds - 60) * 1_000)}&to=${iso(Date.now())}`;

  it('stores every connection the collector measured, once delivered', async () => {
    await until('every flow stored', async () => {
      const rows = await hub.context.store.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM network_flows WHERE end_reason <> 'open'",
      );
      return rows[0]!.n === conversations;
    });
    await until('nothing left on the collector', async () => collector.queue.stats().records === 0);
  });

  it('serves flows per machine, attributed by the address its callbacks reported', async () => {
    const machines = (await api(`/api/v1/network/machines?${range}`)).machines!;

    assert.equal(machines.length, 1);
    assert.equal(machines[0]!.label, 'desk-42');
    assert.equal(machines[0]!.connections, conversations);
    assert.equal(machines[0]!.failed_connections, 0);
  });

  it('names the user and the application where the agent reported the connection', async () => {
    const users = (await api(`/api/v1/network/users?${range}`)).users!;
    const applications = (await api(`/api/v1/network/applications?${range}`)).applications!;

    assert.deepEqual(
      users.map((u) => [u.label, u.connections]),
      [
        [null, conversations - 1],
        ['ada@CORP.EXAMPLE', 1],
      ],
    );
    assert.deepEqual(
      applications.map((a) => [a.key, a.connections]),
      [
        ['rdp', conversations - 1],
        ['worker-0', 1],
      ],
    );
  });

  it('serves flows per protocol and destination, with the collector’s status', async () => {
    const protocols = (await api(`/api/v1/network/protocols?${range}`)).protocols!;
    const destinations = (await api(`/api/v1/network/destinations?${range}`)).destinations!;
    const collectors = (await api('/api/v1/network/collectors')).collectors!;

    assert.deepEqual(
      protocols.map((p) => [p.key, p.connections, p.orig_packets]),
      [['rdp', conversations, conversations * 5]],
    );
    assert.deepEqual(
      destinations.map((d) => d.key),
      [`${desk.server}:3389`],
    );
    assert.equal((collectors[0]!.status as { packetsSeen: number }).packetsSeen, conversations * 8);
  });
});
