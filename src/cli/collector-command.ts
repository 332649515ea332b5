import { join } from 'node:path';
import { Command, Option } from 'commander';
import {
  defaultCollectorHost,
  defaultCollectorPort,
  startCallbackCollector,
} from '../collector/callback-collector.js';
import { createLogger } from '../shared/logger.js';
import { analyzeCommand } from './analyze-command.js';
import { startNetworkRole, withNetworkOptions, type NetworkRoleFlags } from './network-role.js';
import { withCommonOptions, withStoreOption } from './common-options.js';
import { integerOption, resolveSettings, type Settings } from './settings.js';
import { stopOnSignals } from './signals.js';

export function collectorCommand(): Command {
  return withNetworkOptions(
    withStoreOption(
      withCommonOptions(new Command('collector'), "the collector's keys, identity and queues"),
      'PostgreSQL store to write callbacks into directly; without it they go through the hub',
    ),
  )
    .addCommand(analyzeCommand())
    .description(
      "run a collector: the callback role takes agents' callbacks into a disk queue; " +
        'the network role measures the traffic it sees and sends the figures to the hub',
    )
    .addOption(
      new Option('--role <role>', 'what it does')
        .choices(['callbacks', 'network', 'both'])
        .default('callbacks'),
    )
    .option('--hub <url>', 'hub address, needed for the first start')
    .option('--token <token>', 'activation token (kind collector or any)')
    .option('--name <name>', 'name to activate under (default: the host name)')
    .option('--host <address>', `address to listen on for agents (default ${defaultCollectorHost})`)
    .option(
      '--port <port>',
      `port to listen on for agents (default ${defaultCollectorPort})`,
      integerOption('--port', 0, 65_535),
    )
    .option('--advertise-url <url>', 'address agents use to reach it (default http://host:port)')
    .option(
      '--max-queue-bytes <bytes>',
      'queue size at which agents are asked to come back later (default 8 GiB; the hub may push)',
      integerOption('--max-queue-bytes', 65_536, 2 ** 50),
    )
    .action(async (flags: CollectorFlags) => {
      const settings = resolveSettings(flags);
      const network = flags.role === 'callbacks' ? null : await startNetworkRole(flags, settings);
      if (network && flags.role === 'network') return stopOnSignals(() => network.close());
      const collector = await startCallbackCollector({
        dataDir: join(settings.dataDir, 'collector'),
        hubUrl: flags.hub,
        token: flags.token,
        name: flags.name,
        host: flags.host,
        port: flags.port,
        advertiseUrl: flags.advertiseUrl,
        databaseUrl: settings.databaseUrl,
        config: flags.maxQueueBytes ? { maxQueueBytes: flags.maxQueueBytes } : {},
        logger: createLogger(),
      });
      process.stderr.write(
        `collector ${collector.identity.componentId} takes callbacks at ${collector.url}\n`,
      );
      stopOnSignals(async () => {
        await network?.close();
        await collector.close();
      });
    });
}

interface CollectorFlags extends Partial<Settings>, NetworkRoleFlags {
  config?: string;
  role: 'callbacks' | 'network' | 'both';
  hub?: string;
  token?: string;
  name?: string;
  host?: string;
  port?: number;
  advertiseUrl?: string;
  maxQueueBytes?: number;
}
