import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAgent, type RunningAgent } from '../../src/agent/agent.js';
import { createActivationToken } from '../../src/hub/activation-tokens.js';
import { silentLogger } from '../../src/shared/logger.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

describe(`an agent reporting this machine to a hub (${storeKind} store)`, () => {
  let hub: TestHub;
  let agent: RunningAgent;
  let agentDir: string;

  before(async () => {
    hub = await startTestHub();
    agentDir = await mkdtemp(join(tmpdir(), 'strata-agent-'));
    const { token } = await createActivationToken(hub.context.store, hub.context.identity.caPin, {
      kind: 'agent',
      actor: 'test',
    });
    agent = await startAgent({ dataDir: agentDir, hubUrl: hub.url, token, logger: silentLogger() });
  });

  after(async () => {
    await agent?.stop();
    await hub?.cleanup();
    await rm(agentDir, { recursive: true, force: true });
  });

  it('stores the machine’s real host name and figures after the first callback', async () => {
    await agent.callbackNow();
    const token = await hub.context.store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM callbacks',
    );
    assert.ok(token[0]!.n >= 1);

    const cookie = await hub.signInAsAdmin();
    const response = await fetch(`${hub.url}/api/v1/machines`, { headers: { cookie } });
    const { machines } = (await response.json()) as { machines: Array<Record<string, unknown>> };
    assert.equal(machines.length, 1);
    assert.equal(machines[0]!.hostname, hostname());
    assert.ok((machines[0]!.memoryTotalBytes as number) > 0);
    assert.ok((machines[0]!.diskTotalBytes as number) > 0);
    assert.ok((machines[0]!.cpuCount as number) >= 1);
  });

  it('stores the process list, including the test process itself', async () => {
    const rows = await hub.context.store.query<{ pid: number }>(
      'SELECT pid FROM process_samples WHERE pid = $1',
      [process.pid],
    );
    assert.ok(rows.length >= 1, 'the test process is in the stored process list');
  });

  it('serves the machine page data with the latest sample and history', async () => {
    const cookie = await hub.signInAsAdmin();
    const list = (await (
      await fetch(`${hub.url}/api/v1/machines`, { headers: { cookie } })
    ).json()) as {
      machines: Array<{ id: string }>;
    };
    const detail = (await (
      await fetch(`${hub.url}/api/v1/machines/${list.machines[0]!.id}`, { headers: { cookie } })
    ).json()) as {
      machine: { hostname: string };
      latest: { processes: unknown[] };
      history: unknown[];
    };
    assert.equal(detail.machine.hostname, hostname());
    assert.ok(detail.latest.processes.length > 0);
    assert.ok(detail.history.length >= 1);
  });

  it('leaves nothing waiting in the spool once the hub acknowledged', async () => {
    assert.deepEqual(await agent.spool.names(), []);
  });
});
