import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import {
  defaultHubHost,
  defaultHubPort,
  startHub,
  type HubOptions,
  type RunningHub,
} from '../hub/hub.js';
import { initialPasswordFile } from '../hub/people.js';
import { createLogger } from '../shared/logger.js';
import { withCommonOptions, withStoreOption } from './common-options.js';
import { integerOption, resolveSettings, type Settings } from './settings.js';
import { stopOnSignals } from './signals.js';

export function hubOptions(command: Command): Command {
  return withStoreOption(withCommonOptions(command))
    .option('--host <address>', `address to listen on (env STRATA_HOST, default ${defaultHubHost})`)
    .option(
      '--port <port>',
      `port to listen on (env STRATA_PORT, default ${defaultHubPort})`,
      integerOption('--port', 0, 65_535),
    )
    .option(
      '--callback-interval <seconds>',
      'callback interval of the default agent policy (env STRATA_CALLBACK_INTERVAL; ' +
        'default 3600, 60 with `strata start`; at least 10)',
      integerOption('--callback-interval', 10, 86_400),
    )
    .option(
      '--max-collectors <count>',
      'most active collectors (env STRATA_MAX_COLLECTORS, default 10)',
      integerOption('--max-collectors', 0, 10_000),
    )
    .option(
      '--agent-auto-update',
      'turn autoUpdate on in the default agent policy: its agents install newer releases ' +
        'published to the hub (env STRATA_AGENT_AUTO_UPDATE=1; default: as the policy says)',
    )
    .option(
      '--agent-update-check <seconds>',
      'how often agents of the default policy ask for a newer release ' +
        '(env STRATA_AGENT_UPDATE_CHECK, default 21600)',
      integerOption('--agent-update-check', 10, 604_800),
    );
}

export function hubCommand(): Command {
  return hubOptions(new Command('hub'))
    .description(
      'run the hub: web UI, API and callback intake, on the embedded store or PostgreSQL',
    )
    .action(async (flags: Partial<Settings> & { config?: string }) => {
      const settings = resolveSettings(flags);
      const hub = await startHubWith(settings, createLogger());
      // Logs go to stdout as JSON; the address and first password are for the person watching.
      process.stderr.write(`Strata hub listening at ${hub.url}\n`);
      printFirstSignIn(hub, process.stderr);
      stopOnSignals(() => hub.close());
    });
}

export function startHubWith(
  settings: Settings,
  logger: ReturnType<typeof createLogger>,
  extra: Partial<HubOptions> = {},
) {
  return startHub({
    ...extra,
    dataDir: join(settings.dataDir, 'hub'),
    databaseUrl: settings.databaseUrl,
    host: settings.host,
    port: settings.port,
    callbackIntervalSeconds: settings.callbackIntervalSeconds,
    maxCollectors: settings.maxCollectors,
    // Given only when set, so a restart without them keeps what the policy holds now.
    agentUpdates: {
      ...(settings.agentAutoUpdate !== undefined && { autoUpdate: settings.agentAutoUpdate }),
      ...(settings.agentUpdateCheckSeconds && {
        updateCheckSeconds: settings.agentUpdateCheckSeconds,
      }),
    },
    logger,
  });
}

/**
 * Shows the first administrator's password once, on the start that created it; on later
 * starts, while it is unchanged, says where it is kept.
 */
export function printFirstSignIn(hub: RunningHub, out: NodeJS.WritableStream): void {
  const first = hub.firstAdministrator;
  if (first) {
    out.write(
      `\nFirst sign-in: name "${first.name}", password ${first.password}\n` +
        `(shown once; also kept in ${first.passwordFile} until you change it)\n\n`,
    );
    return;
  }
  const passwordFile = join(hub.context.dataDir, initialPasswordFile);
  if (existsSync(passwordFile)) {
    out.write(`Sign in as "admin" with the password in ${passwordFile}\n`);
  }
}
