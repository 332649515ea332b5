import { Option, type Command } from 'commander';

/** Flags every command that touches local state accepts; `holds` says what the folder keeps. */
export function withCommonOptions(
  command: Command,
  holds = 'keys, state and the embedded store',
): Command {
  return command
    .option(
      '--data-dir <dir>',
      `folder for ${holds} (env STRATA_DATA_DIR, default ./.strata)`,
      undefined,
    )
    .option('--config <file>', 'JSON file of settings (env STRATA_CONFIG)');
}

export function withStoreOption(
  command: Command,
  meaning = 'PostgreSQL server instead of the embedded store',
): Command {
  return command.addOption(new Option('--database-url <url>', `${meaning} (env DATABASE_URL)`));
}
