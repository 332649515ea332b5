import { join } from 'node:path';
import type { Command } from 'commander';
import {
  combinedCaptureSource,
  fileCaptureSource,
  type CaptureSource,
} from '../collector/capture/capture-source.js';
import {
  startNetworkCollector,
  type RunningNetworkCollector,
} from '../collector/network-collector.js';
import { ConfigError } from '../shared/errors.js';
import { createLogger } from '../shared/logger.js';
import type { Settings } from './settings.js';

/** The network role's flags on `strata collector`. */
export interface NetworkRoleFlags {
  hub?: string;
  token?: string;
  name?: string;
  interface?: string[];
  filter?: string;
  captureFile?: string;
}

/** Adds the network role's options to the collector command. */
export function withNetworkOptions(command: Command): Command {
  return command
    .option(
      '--interface <name>',
      'network role: capture live on this interface (needs libpcap); repeat for more',
      (name: string, names: string[] = []) => [...names, name],
    )
    .option(
      '--filter <bpf>',
      'network role: capture filter, BPF syntax (e.g. "tcp or udp"); default: the policy\'s',
    )
    .option('--capture-file <file>', 'network role: read a pcap or pcapng file instead');
}

/** Starts the network role from the command's flags; says how to fix a missing source. */
export async function startNetworkRole(
  flags: NetworkRoleFlags,
  settings: Settings,
): Promise<RunningNetworkCollector> {
  const collector = await startNetworkCollector({
    dataDir: join(settings.dataDir, 'collector'),
    hubUrl: flags.hub,
    token: flags.token,
    name: flags.name,
    source: await sourceOf(flags),
    ...(flags.filter === undefined ? {} : { filter: flags.filter }),
    logger: createLogger(),
  });
  process.stderr.write(
    `collector ${collector.identity.componentId} measures ${collector.status().source}\n`,
  );
  return collector;
}

async function sourceOf(flags: NetworkRoleFlags): Promise<CaptureSource> {
  const interfaces = flags.interface ?? [];
  if (flags.captureFile && interfaces.length > 0) {
    throw new ConfigError('give either --interface or --capture-file, not both');
  }
  if (flags.captureFile) return fileCaptureSource(flags.captureFile);
  if (interfaces.length === 0) {
    throw new ConfigError(
      'the network role needs a source: --interface NAME to capture live, or --capture-file FILE',
    );
  }
  // Loaded only when asked for: the libpcap binding is optional at install.
  const { liveCaptureSource } = await import('../collector/capture/live-capture-source.js');
  const duplicate = interfaces.find((name, i) => interfaces.indexOf(name) !== i);
  if (duplicate) throw new ConfigError(`--interface ${duplicate} is given twice`);
  const sources: CaptureSource[] = [];
  try {
    for (const interfaceName of interfaces) {
      sources.push(liveCaptureSource({ interfaceName, filter: flags.filter }));
    }
  } catch (error) {
    await Promise.all(sources.map((source) => source.stop()));
    throw error;
  }
  return combinedCaptureSource(sources);
}
