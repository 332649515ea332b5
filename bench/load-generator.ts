/**
 * Simulated agents for the intake benchmark: each is activated on the hub like a real one and
 * opens its own sealed session with the collector; requests go out `concurrency` at a time.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activate } from '../src/agent/agent-identity.js';
import { ChannelClient } from '../src/protocol/channel-client.js';
import { createKeyPair } from '../src/protocol/key-pair.js';
import { realisticCallback } from '../test/support/realistic-callback.js';
import { keepAliveTransport } from './keep-alive-transport.js';

export interface LoadOptions {
  hubUrl: string;
  token: string;
  collector: { id: string; publicKeyPem: string; url: string };
  agents: number;
  concurrency: number;
}

export async function runLoad(options: LoadOptions) {
  const transport = keepAliveTransport(options.collector.url, options.concurrency);
  const dir = await mkdtemp(join(tmpdir(), 'strata-bench-agents-'));
  const agents = await Promise.all(
    Array.from({ length: options.agents }, async (_, index) => {
      const keys = await createKeyPair();
      const identity = await activate({
        dataDir: join(dir, String(index)),
        hubUrl: options.hubUrl,
        token: options.token,
        kind: 'agent',
        name: `bench-${index}`,
        keys,
      });
      const channel = new ChannelClient({
        componentId: identity.componentId,
        privateKeyPem: keys.privateKeyPem,
        recipientId: options.collector.id,
        recipientPublicKeyPem: options.collector.publicKeyPem,
        transport,
      });
      // Serialised once per agent; each request only gets a fresh callback id. A real agent
      // serialises one callback an hour, a load generator thousands a second on shared cores.
      const template = realisticCallback(`bench-${index}`);
      return { channel, json: JSON.stringify(template), templateId: template.callbackId };
    }),
  );
  await rm(dir, { recursive: true, force: true });

  let acknowledged = 0;
  let stopped = false;
  const refusals: Record<string, number> = {};
  const worker = async (first: number) => {
    for (let turn = first; !stopped; turn += options.concurrency) {
      const agent = agents[turn % agents.length]!;
      const json = Buffer.from(agent.json.replace(agent.templateId, randomUUID()));
      const result = await agent.channel.requestSerialized('/api/v1/callbacks', json);
      if (result.kind === 'reply') acknowledged++;
      else {
        refusals[result.code] = (refusals[result.code] ?? 0) + 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const workers = Array.from({ length: options.concurrency }, (_, index) => worker(index));
  return {
    acknowledged: () => acknowledged,
    refusals: () => ({ ...refusals }),
    async stop() {
      stopped = true;
      await Promise.all(workers);
    },
  };
}
