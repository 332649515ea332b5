import { readFile, writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { roles } from '../hub/people.js';
import { tokenScopes } from '../hub/token-scopes.js';
import { ConfigError } from '../shared/errors.js';
import { runConsoleOperation } from './console-session.js';
import { withCommonOptions, withStoreOption } from './common-options.js';
import { integerOption, resolveSettings, type Settings } from './settings.js';
import { backupCommand, restoreCommand, storeLocationCommand } from './store-commands.js';

type Flags = Partial<Settings> & { config?: string };

function storeCommand(name: string): Command {
  return withStoreOption(withCommonOptions(new Command(name)));
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function adminCommand(): Command {
  const admin = new Command('admin').description(
    'administer the hub from a shell: tokens, passwords, status (hub running or not)',
  );

  admin.addCommand(
    new Command('activation-token')
      .description('activation tokens for agents and collectors')
      .addCommand(
        storeCommand('create')
          .description('issue an activation token; prints it once')
          .addOption(
            new Option('--kind <kind>', 'who may use it')
              .choices(['agent', 'collector', 'any'])
              .default('agent'),
          )
          .option(
            '--uses <n>',
            'how many activations it allows',
            integerOption('--uses', 1, 100_000),
            1,
          )
          .option(
            '--expires-hours <h>',
            'hours until it expires',
            integerOption('--expires-hours', 1, 8_760),
            24,
          )
          .option('--label <text>', 'a note to recognise it by')
          .action(
            async (
              flags: Flags & { kind: string; uses: number; expiresHours: number; label?: string },
            ) => {
              const { kind, uses, expiresHours, label } = flags;
              const result = (await runConsoleOperation(
                resolveSettings(flags),
                'activation-token',
                {
                  kind,
                  uses,
                  expiresHours,
                  label,
                },
              )) as { token: string; uses: number; expiresAt: string };
              process.stdout.write(`${result.token}\n`);
              process.stderr.write(
                `(${result.uses} use(s), expires ${new Date(result.expiresAt).toISOString()})\n`,
              );
            },
          ),
      )
      .addCommand(
        storeCommand('list')
          .description('list activation tokens (no secrets) and what became of each, newest first')
          .action(async (flags: Flags) =>
            print(await runConsoleOperation(resolveSettings(flags), 'activation-token-list', {})),
          ),
      )
      .addCommand(
        storeCommand('revoke')
          .description('end an activation token at once: no further activation with it')
          .argument('<id>', 'its id, from `strata admin activation-token list`')
          .action(async (id: string, flags: Flags) =>
            print(
              await runConsoleOperation(resolveSettings(flags), 'activation-token-revoke', { id }),
            ),
          ),
      ),
  );

  admin.addCommand(
    new Command('token')
      .description('API tokens for programs (sent as Authorization: Bearer <token>)')
      .addCommand(
        storeCommand('create')
          .description('issue an API token; prints it once')
          .addOption(
            new Option('--role <role>', 'what it may do (required)')
              .choices(roles)
              .makeOptionMandatory(),
          )
          .addOption(
            new Option(
              '--scope <scope...>',
              'narrow it to these route groups (repeatable; default: all its role allows)',
            ).choices(tokenScopes),
          )
          .option('--label <text>', 'a note to recognise it by')
          .option(
            '--expires-days <d>',
            'days until it expires (default: never)',
            integerOption('--expires-days', 1, 3_650),
          )
          .action(
            async (
              flags: Flags & {
                role: string;
                scope?: string[];
                label?: string;
                expiresDays?: number;
              },
            ) => {
              const { role, scope, label, expiresDays } = flags;
              const result = (await runConsoleOperation(resolveSettings(flags), 'api-token', {
                ...{ role, scopes: scope, label, expiresDays },
              })) as { token: string; scopes: string[]; expiresAt: string | null };
              process.stdout.write(`${result.token}\n`);
              process.stderr.write(
                `(${role}; scopes: ${result.scopes.join(', ') || 'all its role allows'}; ` +
                  `expires ${result.expiresAt ?? 'never'})\n`,
              );
            },
          ),
      )
      .addCommand(
        storeCommand('list')
          .description('list API tokens (no secrets), newest first')
          .action(async (flags: Flags) =>
            print(await runConsoleOperation(resolveSettings(flags), 'api-token-list', {})),
          ),
      )
      .addCommand(
        storeCommand('revoke')
          .description('revoke an API token at once')
          .argument('<id>', 'its id, from `strata admin token list`')
          .action(async (id: string, flags: Flags) =>
            print(await runConsoleOperation(resolveSettings(flags), 'api-token-revoke', { id })),
          ),
      ),
  );

  admin.addCommand(
    new Command('person').description('people who sign in to the web UI').addCommand(
      storeCommand('create')
        .description('add a person with a generated password they must change at first sign-in')
        .argument('<name>', 'the name they sign in with')
        .addOption(
          new Option('--role <role>', 'what they may do (required)')
            .choices(roles)
            .makeOptionMandatory(),
        )
        .action(async (name: string, flags: Flags & { role: string }) => {
          const result = (await runConsoleOperation(resolveSettings(flags), 'person-create', {
            name,
            role: flags.role,
          })) as { password: string; role: string };
          process.stdout.write(`Password for ${name} (${result.role}): ${result.password}\n`);
        }),
    ),
  );

  admin.addCommand(
    new Command('password').description('passwords of people who sign in to the web UI').addCommand(
      storeCommand('reset')
        .description('set a new generated password; the person must change it at sign-in')
        .argument('[name]', 'who', 'admin')
        .action(async (name: string, flags: Flags) => {
          const result = (await runConsoleOperation(resolveSettings(flags), 'password-reset', {
            name,
          })) as {
            password: string;
          };
          process.stdout.write(`New password for ${name}: ${result.password}\n`);
        }),
    ),
  );

  admin.addCommand(timeZoneCommand());
  admin.addCommand(changeLogCommand());
  admin.addCommand(agentReleaseCommand());
  admin.addCommand(policyCommand());
  admin.addCommand(retentionCommand());
  admin.addCommand(storeLocationCommand());
  admin.addCommand(backupCommand());
  admin.addCommand(restoreCommand());

  admin.addCommand(
    storeCommand('status')
      .description('show the store and what it holds')
      .action(async (flags: Flags) =>
        print(await runConsoleOperation(resolveSettings(flags), 'status', {})),
      ),
  );
  return admin;
}

function timeZoneCommand(): Command {
  return new Command('time-zone')
    .description("the site's time zone: where roll-up days, weeks, months and years begin")
    .addCommand(
      storeCommand('show')
        .description('print the time zone (UTC unless set)')
        .action(async (flags: Flags) =>
          print(await runConsoleOperation(resolveSettings(flags), 'time-zone-show', {})),
        ),
    )
    .addCommand(
      storeCommand('set')
        .description('set it; roll-ups built before keep the boundaries they had')
        .argument('<zone>', 'an IANA name, such as Europe/Berlin or UTC')
        .action(async (zone: string, flags: Flags) =>
          print(
            await runConsoleOperation(resolveSettings(flags), 'time-zone-set', { timeZone: zone }),
          ),
        ),
    );
}

function changeLogCommand(): Command {
  return new Command('change-log')
    .description('the append-only, hash-chained log of administrative actions and events')
    .addCommand(
      storeCommand('list')
        .description('print entries, newest first, one JSON object a line')
        .option('--actor <actor>', "only this actor, e.g. 'console' or 'person:admin'")
        .option('--action <action>', "only this action, or a prefix ending in '.'")
        .option('--subject <subject>', 'only entries about this subject')
        .option('--limit <n>', 'how many', integerOption('--limit', 1, 1_000), 100)
        .action(async (flags: Flags & { actor?: string; action?: string; subject?: string }) => {
          const { actor, action, subject, limit } = flags as typeof flags & { limit: number };
          const entries = (await runConsoleOperation(resolveSettings(flags), 'change-log-list', {
            ...{ actor, action, subject, limit },
          })) as unknown[];
          for (const entry of entries) process.stdout.write(`${JSON.stringify(entry)}\n`);
        }),
    )
    .addCommand(
      storeCommand('verify')
        .description('recompute the hash chain; exits 1 and names the first bad entry if broken')
        .action(async (flags: Flags) => {
          const check = (await runConsoleOperation(
            resolveSettings(flags),
            'change-log-verify',
            {},
          )) as { status: string; reason?: string };
          print(check);
          if (check.status !== 'intact') process.exitCode = 1;
        }),
    );
}

function agentReleaseCommand(): Command {
  return new Command('agent-release')
    .description('agent releases that agents with autoUpdate in their policy install')
    .addCommand(
      storeCommand('publish')
        .description('publish an agent bundle; the hub signs its manifest with the site CA')
        .argument('<file>', 'the agent bundle (dist/agent/strata-agent.mjs)')
        .requiredOption('--version <version>', 'its version, such as 1.2.3')
        .action(async (file: string, flags: Flags & { version: string }) => {
          const bundle = await readFile(file).catch((error: NodeJS.ErrnoException) => {
            throw new ConfigError(`cannot read ${file}: ${error.code ?? error.message}`);
          });
          const result = await runConsoleOperation(
            resolveSettings(flags),
            'agent-release-publish',
            {
              version: flags.version,
              bundleBase64: bundle.toString('base64'),
            },
          );
          print(result);
        }),
    )
    .addCommand(
      storeCommand('list')
        .description('list published agent releases, newest first')
        .action(async (flags: Flags) =>
          print(await runConsoleOperation(resolveSettings(flags), 'agent-release-list', {})),
        ),
    )
    .addCommand(
      storeCommand('withdraw')
        .description('stop offering a release; agents are offered the next newest instead')
        .argument('<version>', 'the version to withdraw')
        .action(async (version: string, flags: Flags) =>
          print(
            await runConsoleOperation(resolveSettings(flags), 'agent-release-withdraw', {
              version,
            }),
          ),
        ),
    );
}

function policyCommand(): Command {
  return new Command('policy')
    .description('policies and groups: export to a signed file, import one')
    .addCommand(
      storeCommand('export')
        .description('write every policy and group to FILE, signed with the site CA key')
        .argument('<file>', 'where to write it')
        .action(async (file: string, flags: Flags) => {
          const signed = await runConsoleOperation(resolveSettings(flags), 'policy-export', {});
          await writeFile(file, `${JSON.stringify(signed, null, 2)}\n`, { mode: 0o600 });
          process.stderr.write(`policies and groups written to ${file}\n`);
        }),
    )
    .addCommand(
      storeCommand('import')
        .description('bring in policies and groups from an export; changed ones get new versions')
        .argument('<file>', 'an export from `strata admin policy export`')
        .option(
          '--accept-signer <pin>',
          "another site's CA pin, to take a file that site signed (it is printed on refusal)",
        )
        .action(async (file: string, flags: Flags & { acceptSigner?: string }) => {
          const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
            throw new ConfigError(`cannot read ${file}: ${error.code ?? error.message}`);
          });
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            throw new ConfigError(`${file} is not a policy export (it is not JSON)`);
          }
          const outcome = (await runConsoleOperation(resolveSettings(flags), 'policy-import', {
            file: parsed,
            acceptSigner: flags.acceptSigner,
          })) as { status: string; reason?: string };
          print(outcome);
          if (outcome.status !== 'imported') process.exitCode = 1;
        }),
    );
}

function retentionCommand(): Command {
  return new Command('retention')
    .description('how long detail is kept (days) and the storage ceiling of the time series')
    .addCommand(
      storeCommand('show')
        .description('print the retention settings')
        .action(async (flags: Flags) =>
          print(await runConsoleOperation(resolveSettings(flags), 'retention-show', {})),
        ),
    )
    .addCommand(
      storeCommand('set')
        .description('change them; the next retention run (hourly) applies them')
        .option(
          '--detail-days <n>',
          'days of detail kept (default 30)',
          integerOption('--detail-days', 1, 3_650),
        )
        .option(
          '--ceiling <size>',
          "most bytes the detail may hold, such as 50GiB or 200000000000; 'off' for none",
          ceilingOption,
        )
        .action(async (flags: Flags & { detailDays?: number; ceiling?: number | 'off' }) => {
          const { detailDays, ceiling } = flags;
          const change = {
            ...(detailDays === undefined ? {} : { detailDays }),
            ...(ceiling === undefined ? {} : { ceilingBytes: ceiling === 'off' ? null : ceiling }),
          };
          if (Object.keys(change).length === 0)
            throw new ConfigError('say what to change: --detail-days and/or --ceiling');
          print(await runConsoleOperation(resolveSettings(flags), 'retention-set', change));
        }),
    );
}

const byteUnits: Record<string, number> = {
  '': 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/**
 * A storage ceiling: bytes, optionally with a unit (GB, GiB...), or 'off' for none (a string:
 * commander turns an option value of null into '').
 */
export function ceilingOption(text: string): number | 'off' {
  if (text.trim().toLowerCase() === 'off') return 'off';
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b)?\s*$/i.exec(text);
  const bytes = match
    ? Math.round(Number(match[1]) * byteUnits[(match[2] ?? '').toLowerCase()]!)
    : NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new ConfigError(
      `--ceiling must be a size such as 50GiB or 200000000000, or off, not "${text}"`,
    );
  }
  return bytes;
}
