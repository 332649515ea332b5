#!/usr/bin/env node
/**
 * The agent on its own: `strata-agent agent ...` is `strata agent ...` without the hub, the
 * collector or the console. esbuild bundles this file into dist/agent/strata-agent.mjs, the one
 * file an endpoint needs besides Node.js (`npm run build:agent`).
 */
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { strataVersion } from '../shared/version.js';
import { agentCommand } from './agent-command.js';
import { runProgram } from './run-program.js';

const program = new Command('strata-agent')
  .description('the Strata agent alone; `strata-agent agent --help` for its commands')
  .version(strataVersion)
  .showHelpAfterError()
  // Needed for the agent's subcommands to own their flags (see agent-command.ts).
  .enablePositionalOptions();

// In the bundle this module is the bundle file itself, which `agent install` copies.
program.addCommand(agentCommand({ bundlePath: fileURLToPath(import.meta.url) }));

runProgram(program);
