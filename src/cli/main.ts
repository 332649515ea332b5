#!/usr/bin/env node
import { Command } from 'commander';
import { strataVersion } from '../shared/version.js';
import { adminCommand } from './admin-command.js';
import { agentCommand } from './agent-command.js';
import { collectorCommand } from './collector-command.js';
import { hubCommand } from './hub-command.js';
import { runProgram } from './run-program.js';
import { startCommand } from './start-command.js';

const program = new Command('strata')
  .description('Strata measures what people at their desktops experience, and why it is slow.')
  .version(strataVersion)
  // `strata --version` prints the version; after a command, `--version` is that command's own
  // (`strata admin agent-release publish FILE --version 1.2.3`).
  .enablePositionalOptions()
  .showHelpAfterError();

program.addCommand(startCommand());
program.addCommand(hubCommand());
program.addCommand(agentCommand());
program.addCommand(collectorCommand());
program.addCommand(adminCommand());

runProgram(program);
