// The agent's tagging, run alone inside the agent host's network namespace for the namespace
// test: machine number, key and the uid -> user number map come from a JSON file instead of
// the hub. Prints "ready" once the queue is open; SIGTERM stops it, SIGKILL shows fail-open.
import { readFileSync } from 'node:fs';
import { installTagRules } from '../../src/agent/connector-id/netfilter-rules.js';
import { loadNfqueueAddon } from '../../src/agent/connector-id/nfqueue-addon.js';
import { TagService } from '../../src/agent/connector-id/tag-service.js';
import { TagWriter } from '../../src/protocol/connector-id/tag-writer.js';
import { createLogger } from '../../src/shared/logger.js';

interface TaggerConfig {
  queueNumber: number;
  machineNumber: number;
  keyId: number;
  machineKey: string;
  users: Record<string, number>;
}

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as TaggerConfig;
const loaded = loadNfqueueAddon();
if (loaded.status !== 'loaded') throw new Error(loaded.howToEnable);
const writer = new TagWriter({
  machineNumber: config.machineNumber,
  keyId: config.keyId,
  machineKey: Buffer.from(config.machineKey, 'base64'),
});
const service = new TagService({
  addon: loaded.addon,
  queueNumber: config.queueNumber,
  writer,
  userNumberOf: (uid) => config.users[String(uid)] ?? 0,
  log: createLogger({ level: 'silent' }),
});
await installTagRules(config.queueNumber);
service.start();
process.on('SIGTERM', () => {
  service.stop();
  console.log(JSON.stringify(service.counts));
  process.exit(0);
});
console.log('ready');
