/**
 * Starts Debian's Chromium under playwright-core for the end-to-end tests. The tests use the
 * browser people use rather than a downloaded one, so nothing is fetched at test time.
 */
import { existsSync } from 'node:fs';
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
