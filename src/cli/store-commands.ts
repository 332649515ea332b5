import { join, resolve } from 'node:path';
import { Command } from 'commander';
import type { BackupManifest } from '../store/backup-file.js';
import { moveStore, restoreStore } from '../hub/store-admin.js';
import { ConfigError } from '../shared/errors.js';
import { redactUrl } from '../store/postgres-store.js';
import { storeLocationFile } from '../store/store-location-file.js';
import { withCommonOptions, withStoreOption } from './common-options.js';
import { runConsoleOperation } from './console-session.js';
import { resolveSettings, type Settings } from './settings.js';

type Flags = Partial<Settings> & { config?: string };

const progressLine = (table: string, rows: number) =>
  process.stderr.write(`  ${table}: ${rows} row(s)\n`);

/** `strata admin store move`: the embedded store to a PostgreSQL server. */
export function storeLocationCommand(): Command {
  return new Command('store').description('where the hub keeps its data').addCommand(
    withCommonOptions(new Command('move'))
      .description(
        'move the embedded store to an empty PostgreSQL database (the hub must be stopped); ' +
          'the embedded store stays in place, untouched',
      )
      .requiredOption('--to <url>', 'the PostgreSQL database, postgres://user@host:port/db')
      .action(async (flags: Flags & { to: string }) => {
        if (!/^postgres(ql)?:\/\//.test(flags.to)) {
          throw new ConfigError('--to must be a PostgreSQL URL (postgres://user@host:port/db)');
        }
        const settings = resolveSettings(flags);
        if (settings.databaseUrl) {
          throw new ConfigError(
            `this hub uses ${redactUrl(settings.databaseUrl)} already; a move takes the ` +
              'embedded store, so run it without --database-url or DATABASE_URL',
          );
        }
        const hubDir = join(settings.dataDir, 'hub');
        process.stderr.write(`Moving the embedded store to ${redactUrl(flags.to)}:\n`);
        const moved = await moveStore(hubDir, flags.to, progressLine);
        const rows = Object.values(moved.rows).reduce((sum, n) => sum + n, 0);
        process.stdout.write(
          `Moved ${rows} row(s) in ${Object.keys(moved.rows).length} tables; counts checked.\n` +
            `From now on \`strata hub\` and \`strata start\` with this data folder use ` +
            `${moved.databaseUrl} (recorded in ${moved.locationFile}).\n` +
            `The embedded store in ${moved.embeddedDir} is left as it was before the move. ` +
            `To go back to it, stop the hub and remove ${storeLocationFile}; what was ` +
            'written after the move stays in PostgreSQL only.\n',
        );
      }),
  );
}

/** `strata admin backup FILE`: the whole store to one file, hub running or not. */
export function backupCommand(): Command {
  return withStoreOption(withCommonOptions(new Command('backup')))
    .description('write the whole store to FILE (gzip, with a manifest and a checksum)')
    .argument('<file>', 'where to write it')
    .action(async (file: string, flags: Flags) => {
      const path = resolve(file);
      let live = false;
      const manifest = (await runConsoleOperation(
        resolveSettings(flags),
        'store-backup',
        { file: path },
        (table, rows) => {
          live = true;
          progressLine(table, rows);
        },
      )) as BackupManifest;
      // Through a running hub's socket the lines come at the end, from the manifest.
      if (!live) for (const table of manifest.tables) progressLine(table.name, table.rows);
      printManifest(`Backup written to ${path}`, manifest);
    });
}

/** `strata admin restore FILE`: a backup into a stopped hub's store. */
export function restoreCommand(): Command {
  return withStoreOption(withCommonOptions(new Command('restore')))
    .description(
      'restore a backup into the stopped hub’s store; only an empty store unless --force',
    )
    .argument('<file>', 'a file from `strata admin backup`')
    .option('--force', 'replace everything in a store that holds data')
    .action(async (file: string, flags: Flags & { force?: boolean }) => {
      const settings = resolveSettings(flags);
      const path = resolve(file);
      process.stderr.write(`Checking ${path}...\n`);
      const manifest = await restoreStore({
        hubDir: join(settings.dataDir, 'hub'),
        databaseUrl: settings.databaseUrl,
        file: path,
        force: flags.force === true,
        progress: progressLine,
        warn: (message) => process.stderr.write(`WARNING: ${message}\n`),
      });
      printManifest(`Restored ${path}`, manifest);
    });
}

function printManifest(what: string, manifest: BackupManifest): void {
  const rows = manifest.tables.reduce((sum, table) => sum + table.rows, 0);
  process.stdout.write(
    `${what}: ${rows} row(s) in ${manifest.tables.length} tables, schema version ` +
      `${manifest.schemaVersion}, site ${manifest.siteId ?? '(none)'}, taken ` +
      `${manifest.createdAt}, sha256 ${manifest.sha256}\n`,
  );
}
