import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAgent, type RunningAgent } from '../../src/agent/agent.js';
import { silentLogger } from '../../src/shared/logger.js';
import { issueToken } from '../support/test-collector.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

describe(`an agent's machine number (${storeKind} store)`, () => {
  let hub: TestHub;
  let agent: RunningAgent | undefined;
  let agentDir: string;

  before(async () => {
    hub = await startTestHub();
    agentDir = await mkdtemp(join(tmpdir(), 'strata-agent-'));
  });
  after(async () => {
    await agent?.stop();
    await hub?.cleanup();
    await rm(agentDir, { recursive: true, force: true });
  });

  it('is claimed at start with this machine fingerprint, tagging left off by policy', async () => {
    const token = await issueToken(hub, 'agent');
    agent = await startAgent({ dataDir: agentDir, hubUrl: hub.url, token, logger: silentLogger() });
    const claimed = () =>
      hub.context.store.query<{ number: number; fingerprint: { fqdn?: string } }>(
        'SELECT number, fingerprint FROM connector_machine_numbers WHERE agent_id = $1',
        [agent!.identity.componentId],
      );
    // The claim runs beside the first callback; the test's timeout bounds the wait.
    let rows = await claimed();
    while (rows.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      rows = await claimed();
    }
    assert.ok(rows[0]!.number >= 1 && rows[0]!.number <= 0xffffff);
    assert.match(rows[0]!.fingerprint.fqdn ?? '', /^[0-9a-f]{32}$/);
  });
});
