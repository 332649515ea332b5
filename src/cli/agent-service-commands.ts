import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { agentUnitName } from '../agent/service/agent-unit.js';
import { installAgentService } from '../agent/service/service-install.js';
import { defaultLayout } from '../agent/service/service-layout.js';
import { uninstallAgentService } from '../agent/service/service-uninstall.js';

/** The bundle `strata agent install` installs when run from the build: dist/agent. */
const builtBundle = fileURLToPath(
  new URL(
    import.meta.url.endsWith('.ts')
      ? '../../dist/agent/strata-agent.mjs'
      : '../agent/strata-agent.mjs',
    import.meta.url,
  ),
);

const say = (line: string) => process.stdout.write(`${line}\n`);

/** `strata agent install` and `strata agent uninstall`, added to the agent command. */
export function withServiceCommands(agent: Command, runningBundle?: string): Command {
  agent
    .command('install')
    .description(
      `install the agent as a systemd service (${agentUnitName}) and start it where systemd ` +
        'runs; needs root',
    )
    .option('--hub <url>', 'hub address, kept for the service (root only) until it activates')
    .option('--token <token>', 'activation token for the first start, kept the same way')
    .option('--data-dir <dir>', "the agent's data folder", defaultLayout.dataDir)
    .option('--bundle <file>', 'the agent bundle to install', runningBundle ?? builtBundle)
    .option('--node <path>', 'the Node.js the service runs', process.execPath)
    .option('--root <dir>', 'write below this folder instead of / (for images and tests)', '/')
    .option('--unit-dir <dir>', 'where the unit goes', defaultLayout.unitDir)
    .option('--lib-dir <dir>', 'where the bundle goes', defaultLayout.libDir)
    .option('--env-file <file>', 'where hub and token are kept', defaultLayout.envFile)
    .option('--no-start', 'enable the service but do not start it now')
    .action(async (flags: InstallFlags) => {
      await installAgentService({ ...flags, hubUrl: flags.hub, nodePath: flags.node, say });
    });

  agent
    .command('uninstall')
    .description('stop and remove the agent service; its data folder stays unless --purge')
    .option('--purge', "remove the agent's data folder too: its identity and unsent callbacks")
    .option('--root <dir>', 'remove below this folder instead of /', '/')
    .option('--lib-dir <dir>', 'where the install put the bundle', defaultLayout.libDir)
    .action(async (flags: { purge?: boolean; root: string; libDir: string }) => {
      await uninstallAgentService({ ...flags, say });
    });
  return agent;
}

interface InstallFlags {
  hub?: string;
  token?: string;
  dataDir: string;
  bundle: string;
  node: string;
  root: string;
  unitDir: string;
  libDir: string;
  envFile: string;
  start: boolean;
}
