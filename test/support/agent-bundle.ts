/**
 * The agent bundle as an endpoint gets it: built by scripts/build-agent.mjs (once per test
 * process) and run with plain Node.js, no tsx, no node_modules.
 */
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Where `npm run build:agent` writes the bundle. */
export const bundlePath = join(repoRoot, 'dist', 'agent', 'strata-agent.mjs');

let built = false;

/** Builds the bundle from the current sources; throws with esbuild's output if that fails. */
export function buildAgentBundle(): string {
  if (built) return bundlePath;
  const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-agent.mjs')], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`build-agent failed:\n${result.stderr}`);
  built = true;
  return bundlePath;
}

const run = promisify(execFile);

/** Runs a short command to its end; a non-zero exit is returned, not thrown. */
export async function runCommand(
  file: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(file, args, { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number | string; stdout?: string; stderr?: string };
    const code = typeof failure.code === 'number' ? failure.code : -1;
    return { code, stdout: failure.stdout ?? '', stderr: failure.stderr ?? String(error) };
  }
}
