import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { startAgent, type RunningAgent } from '../agent/agent.js';
import { loadIdentity } from '../agent/agent-identity.js';
import { createActivationToken } from '../hub/activation-tokens.js';
import { createLogger } from '../shared/logger.js';
import { hubOptions, printFirstSignIn, startHubWith } from './hub-command.js';
import { resolveSettings, type Settings } from './settings.js';
import { stopOnSignals } from './signals.js';
import { ensureDataDir } from '../shared/data-dir.js';

/** `strata start`: a whole site on this machine, hub on the embedded store plus a local agent. */
export function startCommand(): Command {
  return hubOptions(new Command('start'))
    .description('run a hub on this machine and an agent that reports this machine to it')
    .action(async (flags: Partial<Settings> & { config?: string }) => {
      const settings = resolveSettings(flags);
      await ensureDataDir(settings.dataDir);
      const logFile = join(settings.dataDir, 'strata.log');
      const logger = createLogger({ destination: createWriteStream(logFile, { flags: 'a' }) });

      // A one-machine site is for looking at: figures every minute rather than every hour,
      // unless --callback-interval says otherwise or the policy was changed since.
      const hub = await startHubWith(settings, logger, { firstCallbackIntervalSeconds: 60 });
      const agentDir = join(settings.dataDir, 'agent');
      // A local agent activated on an earlier start keeps its identity; a new one gets a token.
      const token = (await loadIdentity(agentDir))
        ? undefined
        : (
            await createActivationToken(hub.context.store, hub.context.identity.caPin, {
              kind: 'agent',
              label: 'local agent of strata start',
              actor: 'system',
            })
          ).token;
      let agent: RunningAgent;
      try {
        agent = await startAgent({ dataDir: agentDir, hubUrl: hub.url, token, logger });
      } catch (error) {
        await hub.close();
        throw error;
      }

      const out = process.stdout;
      out.write(`Strata is running at ${hub.url}\n`);
      printFirstSignIn(hub, out);
      out.write(
        `This machine reports as agent ${agent.identity.componentId}.\n` +
          `Logs: ${logFile}\nPress Ctrl+C to stop.\n`,
      );

      stopOnSignals(async () => {
        await agent.stop();
        await hub.close();
      });
    });
}
