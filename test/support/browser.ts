/**
 * Starts Debian's Chromium under playwright-core for the end-to-end tests. The tests use the
 * browser people use rather than a downloaded one, so nothing is fetched at test time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type LaunchOptions, chromium } from 'playwright-core';

/** Where Debian's `chromium` package installs the browser; override with STRATA_CHROMIUM. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

// Sandboxing needs user namespaces that containers and CI runners often lack; the rest stop
// Chromium from reaching out to the network or updating itself while a test runs.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** How long to wait for Chromium to start before giving up; 30 seconds. */
const LAUNCH_TIMEOUT_MILLIS = 30_000;

/**
 * Launches a headless Chromium. Close it with `browser.close()` when the test ends.
 * Throws with a hint when the browser is not installed.
 */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: LAUNCH_TIMEOUT_MILLIS,
    ...options,
  });
}

/**
 * Launches a headless Chromium with its own profile in `userDataDir` and the unpacked
 * extension in `extensionDir` loaded, as a person who installed it would have it.
 */
export async function launchWithExtension(
  userDataDir: string,
  extensionDir: string,
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: [
      ...CHROMIUM_ARGS,
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
    ],
    timeout: LAUNCH_TIMEOUT_MILLIS,
  });
}

function chromiumPath(): string {
  const executablePath = process.env.STRATA_CHROMIUM ?? DEFAULT_CHROMIUM_PATH;
  if (!existsSync(executablePath)) {
    throw new Error(
      `No Chromium at ${executablePath}. Install it (apt-get install chromium) or set ` +
        'STRATA_CHROMIUM to its path.',
    );
  }
  return executablePath;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const builtIndex = join(repoRoot, 'dist/web/index.html');
const webSources = join(repoRoot, 'src/web');

/** The newest modification time of any file under `dir`, in milliseconds. */
function newestMillis(dir: string): number {
  return Math.max(
    ...readdirSync(dir).map((name) => {
      const path = join(dir, name);
      const stats = statSync(path);
      return stats.isDirectory() ? newestMillis(path) : stats.mtimeMs;
    }),
  );
}

/** Builds the web UI when it is missing or older than its sources, so the test sees this code. */
export function ensureWebUiBuilt(): void {
  if (existsSync(builtIndex) && statSync(builtIndex).mtimeMs >= newestMillis(webSources)) return;
  try {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, stdio: 'pipe' });
  } catch (error) {
    const output = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(
      `the web UI is not built and \`npm run build\` failed; run it by hand to see why:\n` +
        `${output.stdout?.toString() ?? ''}${output.stderr?.toString() ?? ''}`,
    );
  }
  if (!existsSync(builtIndex)) {
    throw new Error(`\`npm run build\` finished but left no ${builtIndex}`);
  }
}
