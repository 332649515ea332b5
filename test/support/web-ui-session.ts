/**
 * A browser on a seeded site, signed in as the first administrator, with every console and
 * page error collected and screenshots kept under test-results/ (the folder is printed).
 */
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureWebUiBuilt, launchBrowser } from './browser.js';
import { watchPageErrors, type PageErrors } from './page-errors.js';
import { startSeededSite, type SeededSite } from './seeded-site.js';
import { testAdminPassword as adminPassword } from './test-hub.js';
import { storeKind } from './test-store.js';

/** A bound on how long a missing element is waited for, so a broken page fails in seconds. */
const elementTimeoutMillis = 15_000;
const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface WebUiSession {
  site: SeededSite;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  errors: PageErrors;
  screenshotDir: string;
  /** Saves a full-page PNG under `screenshotDir` and checks it is one. */
  screenshot(name: string, target?: Page): Promise<void>;
  close(): Promise<void>;
}

/** Starts the site and the browser; `suite` names the screenshot folder. */
export async function openWebUi(suite: string): Promise<WebUiSession> {
  ensureWebUiBuilt();
  const screenshotDir = join(repoRoot, 'test-results', 'screenshots', `${suite}-${storeKind}`);
  await mkdir(screenshotDir, { recursive: true });
  console.log(`# screenshots in ${screenshotDir}`);

  const site = await startSeededSite();
  const browser = await launchBrowser();
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    timezoneId: 'Europe/Berlin',
  });
  context.setDefaultTimeout(elementTimeoutMillis);
  const errors = watchPageErrors(context);
  const page = await context.newPage();

  await signInFirstTime(page, site);
  errors.assertNone('while signing in');
  return {
    site,
    browser,
    context,
    page,
    errors,
    screenshotDir,
    async screenshot(name, target = page) {
      const path = join(screenshotDir, `${name}.png`);
      await target.screenshot({ path, fullPage: true });
      assert.ok((await readFile(path)).subarray(0, 8).equals(pngSignature), `${name} is a PNG`);
    },
    async close() {
      await browser.close();
      await site.cleanup();
    },
  };
}

/** Signs in with the first password and chooses the tests' own, as a new site's admin does. */
async function signInFirstTime(page: Page, site: SeededSite) {
  const firstPassword = site.hub.firstAdministrator!.password;
  await page.goto(site.hub.url);
  await page.getByLabel('Name').fill('admin');
  await page.getByLabel('Password').fill(firstPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Current password').fill(firstPassword);
  await page.getByLabel('New password', { exact: true }).fill(adminPassword);
  await page.getByLabel('Repeat new password').fill(adminPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
}

/** Whether the hub serves the list API (`GET /api/v1/lists`), asked as the signed-in page. */
export async function hubHasLists(session: WebUiSession): Promise<boolean> {
  const response = await session.page.request.get(`${session.site.hub.url}/api/v1/lists`);
  return response.status() === 200;
}

/** Checks `check` until it holds, for at most `elementTimeoutMillis`; fails naming `what`. */
export async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + elementTimeoutMillis;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
