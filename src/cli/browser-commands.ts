import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';

import { runBrowserHost } from '../agent/browser/browser-host.js';
import { defaultBrowserSpool } from '../agent/browser/browser-sites.js';
import {
  hostScript,
  hostScriptPath,
  systemHostManifests,
} from '../agent/browser/host-manifests.js';
import { resolveSettings } from './settings.js';

/**
 * `strata agent browser-host` and `strata agent browser-install`, added to the agent command.
 * `programPath` is the script browsers start the host with: the agent bundle when it runs
 * from one, else `main.js` beside this module.
 */
export function withBrowserCommands(agent: Command, programPath?: string): Command {
  agent
    .command('browser-host')
    .description(
      'native messaging host for the Strata browser extension (browsers start it; not for ' +
        'people): checks page timings and writes them into the browser spool',
    )
    .option('--spool <dir>', 'the browser spool (default: as the agent makes it)')
    .option('--data-dir <dir>', "the agent's data folder, when --spool is not given")
    // Browsers add their own arguments (the caller's origin, a window handle).
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (flags: { spool?: string; dataDir?: string }) => {
      const spoolDir = flags.spool ?? defaultBrowserSpool(agentDataDir(flags.dataDir));
      await runBrowserHost({ spoolDir, input: process.stdin });
    });

  agent
    .command('browser-install')
    .description(
      'register the browser host with Chromium, Chrome, Edge and Firefox on this machine, ' +
        'so that the Strata extension can reach the agent (needs root)',
    )
    .option('--spool <dir>', 'the browser spool (default: /run/strata/browser as root)')
    .option('--data-dir <dir>', "the agent's data folder")
    .option('--root <dir>', 'write below this folder instead of / (for packaging)', '/')
    .action(async (flags: { spool?: string; dataDir?: string; root: string }) => {
      const spoolDir = flags.spool ?? defaultBrowserSpool(agentDataDir(flags.dataDir));
      const main = programPath ?? resolve(dirname(fileURLToPath(import.meta.url)), 'main.js');
      const script = hostScriptPath(flags.root);
      await mkdir(dirname(script), { recursive: true });
      await writeFile(script, hostScript(process.execPath, main, spoolDir));
      await chmod(script, 0o755);
      process.stdout.write(`wrote ${script}\n`);
      for (const manifest of systemHostManifests(hostScriptPath('/'), flags.root)) {
        await mkdir(dirname(manifest.path), { recursive: true });
        await writeFile(manifest.path, manifest.text);
        process.stdout.write(`wrote ${manifest.path}\n`);
      }
      process.stdout.write(
        'Now deploy the extension in extension/ of this Strata release to the browsers ' +
          '(your browser management, or "Load unpacked" to try it); see docs/agent-metrics.md\n',
      );
    });
  return agent;
}

function agentDataDir(dataDir: string | undefined): string {
  return join(resolveSettings({ dataDir }).dataDir, 'agent');
}
