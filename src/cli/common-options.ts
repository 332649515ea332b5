import { Option, type Command } from 'commander';

/** Flags every command that touches local state accepts. */
export function withCommonOptions(command: Command): Command {
  return command
    .option(
      '--data-dir <dir>',
      'folder for keys, state and the embedded store (env STRATA_DATA_DIR, default ./.strata)',
      undefined,
    )
    .option('--config <file>', 'JSON file of settings (env STRATA_CONFIG)');
}

export function withStoreOption(command: Command): Command {
  return command.addOption(
    new Option(
      '--database-url <url>',
      'PostgreSQL server instead of the embedded store (env DATABASE_URL)',
    ),
  );
}
