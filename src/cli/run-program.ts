import type { Command } from 'commander';
import { ConfigError } from '../shared/errors.js';

/** Parses the command line and runs it; a configuration error exits 2 with just its message. */
export function runProgram(program: Command): void {
  program.parseAsync(process.argv).catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`strata: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`strata: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
