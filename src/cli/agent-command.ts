import { join } from 'node:path';
import { Command } from 'commander';
import { startAgent } from '../agent/agent.js';
import { createLogger } from '../shared/logger.js';
import { withBrowserCommands } from './browser-commands.js';
import { withCommonOptions } from './common-options.js';
import { resolveSettings, type Settings } from './settings.js';
import { stopOnSignals } from './signals.js';

export function agentCommand(): Command {
  const agent = withCommonOptions(new Command('agent'), "the agent's keys, identity and spool")
    .description(
      'run the agent on this machine: activate once, then call back on the policy interval',
    )
    .option(
      '--hub <url>',
      'hub address (e.g. http://hub.example:8080): needed for the first start, and ' +
        'replaces the saved one when given later',
    )
    .option('--token <token>', 'activation token from `strata admin activation-token create`')
    .option('--name <name>', 'name to activate under (default: the host name)')
    .action(
      async (
        flags: Partial<Settings> & { config?: string; hub?: string; token?: string; name?: string },
      ) => {
        const settings = resolveSettings(flags);
        const agent = await startAgent({
          dataDir: join(settings.dataDir, 'agent'),
          hubUrl: flags.hub,
          token: flags.token,
          name: flags.name,
          logger: createLogger(),
        });
        stopOnSignals(() => agent.stop());
      },
    );
  return withBrowserCommands(agent);
}
