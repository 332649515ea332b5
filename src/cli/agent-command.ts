import { join } from 'node:path';
import { Command, Option } from 'commander';
import { startAgent } from '../agent/agent.js';
import { activationTokenVariable, hubUrlVariable } from '../agent/service/service-env-file.js';
import { createLogger } from '../shared/logger.js';
import { withServiceCommands } from './agent-service-commands.js';
import { withBrowserCommands } from './browser-commands.js';
import { withCommonOptions } from './common-options.js';
import { resolveSettings, type Settings } from './settings.js';
import { stopOnSignals } from './signals.js';

/** `strata agent`; `bundlePath` is set when the agent runs from its bundle (agent-main.ts). */
export function agentCommand(options: { bundlePath?: string } = {}): Command {
  const agent = withCommonOptions(new Command('agent'), "the agent's keys, identity and spool")
    .description(
      'run the agent on this machine: activate once, then call back on the policy interval',
    )
    .addOption(
      new Option(
        '--hub <url>',
        'hub address (e.g. http://hub.example:8080): needed for the first start, and ' +
          'replaces the saved one when given later',
      ).env(hubUrlVariable),
    )
    .addOption(
      new Option(
        '--token <token>',
        'activation token from `strata admin activation-token create`',
      ).env(activationTokenVariable),
    )
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
  // Flags after a subcommand's name are its own (install's --hub is not the agent's).
  agent.enablePositionalOptions();
  const { bundlePath } = options;
  return withServiceCommands(withBrowserCommands(agent, bundlePath), bundlePath);
}
