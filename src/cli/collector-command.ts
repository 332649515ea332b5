import { hostname } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { activate, loadIdentity } from '../agent/agent-identity.js';
import { loadOrCreateKeyPair } from '../protocol/key-pair.js';
import { ConfigError } from '../shared/errors.js';
import { analyzeCommand } from './analyze-command.js';
import { withCommonOptions } from './common-options.js';
import { resolveSettings, type Settings } from './settings.js';

export function collectorCommand(): Command {
  return withCommonOptions(new Command('collector'))
    .addCommand(analyzeCommand())
    .description('activate a collector against the hub (its intake roles are not built yet)')
    .addOption(
      new Option('--role <role>', 'what it does')
        .choices(['callbacks', 'network', 'both'])
        .default('both'),
    )
    .option('--hub <url>', 'hub address, needed for the first start')
    .option('--token <token>', 'activation token (kind collector or any)')
    .option('--name <name>', 'name to activate under (default: the host name)')
    .action(
      async (
        flags: Partial<Settings> & {
          config?: string;
          hub?: string;
          token?: string;
          name?: string;
          role: string;
        },
      ) => {
        const dataDir = join(resolveSettings(flags).dataDir, 'collector');
        const keys = await loadOrCreateKeyPair(join(dataDir, 'collector-key.pem'));
        let identity = await loadIdentity(dataDir);
        if (!identity) {
          if (!flags.hub || !flags.token) {
            throw new ConfigError(
              'this collector is not activated yet: pass --hub <url> and --token <token>',
            );
          }
          identity = await activate({
            dataDir,
            hubUrl: flags.hub,
            token: flags.token,
            kind: 'collector',
            name: flags.name ?? hostname(),
            keys,
          });
        }
        process.stdout.write(
          `collector ${identity.componentId} is activated against ${identity.hubUrl}\n`,
        );
        // Not yet: the callback and network roles. Until they exist the command stops here.
        throw new ConfigError(
          `the ${flags.role} role is not available in this version of Strata yet`,
        );
      },
    );
}
