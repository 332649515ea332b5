import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { activate } from '../../src/agent/agent-identity.js';
import { runConsoleOperation } from '../../src/cli/console-session.js';
import { ChannelClient } from '../../src/protocol/channel-client.js';
import { httpTransport } from '../../src/protocol/http-transport.js';
import { createKeyPair } from '../../src/protocol/key-pair.js';
import { openStore } from '../../src/store/open-store.js';
import { sampleCallback, sampleProcessCount } from '../support/sample-callback.js';
import {
  createTestDatabase,
  seedEmbeddedStore,
  serverUrl,
  storeKind,
} from '../support/test-store.js';

// How many times the hub is killed mid-intake and started again.
const killRounds = 3;
const mainScript = new URL('../../src/cli/main.ts', import.meta.url).pathname;

describe(`a hub killed with SIGKILL during intake (${storeKind} store)`, () => {
  let baseDir: string;
  let databaseUrl: string | undefined;
  let dropDatabase = async () => undefined as void;
  let hub: ChildProcess | null = null;
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const url = `http://127.0.0.1:${port}`;

  const startHubProcess = async () => {
    const args = ['--import', 'tsx', mainScript, 'hub', '--data-dir', baseDir, '--port', `${port}`];
    if (databaseUrl) args.push('--database-url', databaseUrl);
    hub = spawn(process.execPath, args, {
      stdio: 'ignore',
      env: { ...process.env, STRATA_LOG_LEVEL: 'warn' },
    });
    for (let attempt = 0; attempt < 300; attempt++) {
      const up = await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the hub did not start within 30 s');
  };

  const killHub = async () => {
    const child = hub!;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    hub = null;
  };

  before(async () => {
    baseDir = await mkdtemp(join(tmpdir(), 'strata-restart-'));
    if (serverUrl) {
      const database = await createTestDatabase();
      databaseUrl = database.url;
      dropDatabase = database.drop;
    } else {
      await seedEmbeddedStore(join(baseDir, 'hub', 'store'));
    }
    await startHubProcess();
  });

  after(async () => {
    if (hub) await killHub();
    await dropDatabase();
    await rm(baseDir, { recursive: true, force: true });
  });

  it('keeps every callback it acknowledged, and stores none twice', async (t) => {
    const settings = { dataDir: baseDir, databaseUrl };
    const { token } = (await runConsoleOperation(settings, 'activation-token', {
      kind: 'agent',
      uses: 1,
    })) as { token: string };
    const keys = await createKeyPair();
    const agentDir = join(baseDir, 'agent');
    const identity = await activate({
      dataDir: agentDir,
      hubUrl: url,
      token,
      kind: 'agent',
      name: 'restart-test',
      keys,
    });
    const client = new ChannelClient({
      componentId: identity.componentId,
      privateKeyPem: keys.privateKeyPem,
      recipientId: identity.hubId,
      recipientPublicKeyPem: identity.hubPublicKeyPem,
      transport: httpTransport(url, 5_000),
    });

    const acknowledged = new Set<string>();
    const sent = new Set<string>();
    for (let round = 0; round < killRounds; round++) {
      // Callbacks flow from two senders at once; the kill lands at a random moment among them.
      let stop = false;
      const sender = async () => {
        while (!stop) {
          const callback = sampleCallback();
          sent.add(callback.callbackId);
          const result = await client.request('/api/v1/callbacks', callback).catch(() => null);
          if (result?.kind === 'reply') acknowledged.add(callback.callbackId);
        }
      };
      const senders = [sender(), sender()];
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 1_500));
      await killHub();
      stop = true;
      await Promise.all(senders);
      await startHubProcess();
      client.reset();
    }
    await killHub();

    const store = await openStore({ databaseUrl, embeddedDir: join(baseDir, 'hub', 'store') });
    try {
      const rows = await store.query<{ callback_id: string }>('SELECT callback_id FROM callbacks');
      const stored = new Set(rows.map((row) => row.callback_id));
      t.diagnostic(`sent ${sent.size}, acknowledged ${acknowledged.size}, stored ${stored.size}`);
      const missing = [...acknowledged].filter((id) => !stored.has(id));
      assert.ok(
        acknowledged.size > killRounds,
        `callbacks were acknowledged (${acknowledged.size})`,
      );
      assert.deepEqual(missing, [], 'every acknowledged callback is stored');
      assert.ok(
        [...stored].every((id) => sent.has(id)),
        'nothing stored that was not sent',
      );
      const [samples] = await store.query<{ n: number; distinct_ids: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT callback_id)::int AS distinct_ids
         FROM machine_samples`,
      );
      assert.equal(samples!.n, stored.size, 'one machine sample per stored callback');
      assert.equal(samples!.distinct_ids, stored.size);
      const [processes] = await store.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM process_samples',
      );
      assert.equal(
        processes!.n,
        stored.size * sampleProcessCount,
        'each stored callback has its processes, once',
      );
    } finally {
      await store.close();
    }
  });
});
