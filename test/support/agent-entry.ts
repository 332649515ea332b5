/**
 * Runs a real agent from source with the options given as JSON in argv[2], taking made-up
 * samples as fast as it can deliver them, so tests can kill it with SIGKILL at any moment.
 * Prints `ready`, then `done <n>` after callback n is spooled and its delivery attempt ended,
 * and with `drain` set, `drained` once nothing waits in its spool.
 */
import { startAgent } from '../../src/agent/agent.js';
import { silentLogger } from '../../src/shared/logger.js';
import { sampleMachine } from './sample-callback.js';

const options = JSON.parse(process.argv[2] ?? '{}') as {
  dataDir: string;
  hubUrl?: string;
  token?: string;
  /** Number of this process's first sample; sample n is stamped n ms after the epoch base. */
  firstSample: number;
  baseMillis: number;
  drain?: boolean;
};

let next = options.firstSample;
let current = next;
const agent = await startAgent({
  dataDir: options.dataDir,
  hubUrl: options.hubUrl,
  token: options.token,
  logger: silentLogger(),
  sample: async () => {
    current = next++;
    return { ...sampleMachine('desk-kill'), sampledAt: stamp(current) };
  },
});
console.log('ready');

for (;;) {
  await agent.callbackNow();
  console.log(`done ${current}`);
  if (options.drain && (await agent.spool.names()).length === 0) {
    console.log('drained');
    await agent.stop();
    process.exit(0);
  }
  await new Promise((resolve) => setTimeout(resolve, 20));
}

function stamp(n: number): string {
  return new Date(options.baseMillis + n).toISOString();
}
