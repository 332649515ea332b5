import { resolve } from 'node:path';

/**
 * The bundle file this process runs from: the script Node.js was started with, when it is an
 * `.mjs` bundle (such as strata-agent.mjs). Null when the agent runs from the compiled tree
 * (`dist/cli/main.js`, also under `strata start`): there is no single file to replace then,
 * and the updater only reports the newer release.
 */
export function runningBundlePath(argv: readonly string[] = process.argv): string | null {
  const script = argv[1];
  return script && script.endsWith('.mjs') ? resolve(script) : null;
}
