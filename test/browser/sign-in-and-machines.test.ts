/**
 * The web UI in a real browser against a real hub that a real agent on this machine reports
 * to: sign-in, the machine list, a machine page, and choosing one's own password.
 * STRATA_SCREENSHOT_DIR keeps the screenshots in that folder; otherwise they go to a temporary
 * folder that is removed at the end.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startAgent, type RunningAgent } from '../../src/agent/agent.js';
import { createActivationToken } from '../../src/hub/activation-tokens.js';
import { silentLogger } from '../../src/shared/logger.js';
import { ensureWebUiBuilt, launchBrowser } from '../support/browser.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

const newPassword = 'my own password, long enough';
// A bound on how long a missing element is waited for, so a broken page fails in seconds.
const elementTimeoutMillis = 15_000;
const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe(`the web UI in Chromium (${storeKind} store)`, () => {
  let hub: TestHub;
  let agent: RunningAgent;
  let agentDir: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let screenshotDir: string;
  let firstPassword: string;

  before(async () => {
    ensureWebUiBuilt();
    screenshotDir =
      process.env.STRATA_SCREENSHOT_DIR ?? (await mkdtemp(join(tmpdir(), 'strata-shots-')));
    await mkdir(screenshotDir, { recursive: true });

    hub = await startTestHub();
    firstPassword = hub.firstAdministrator!.password;
    agentDir = await mkdtemp(join(tmpdir(), 'strata-agent-'));
    const { token } = await createActivationToken(hub.context.store, hub.context.identity.caPin, {
      kind: 'agent',
      actor: 'test',
    });
    agent = await startAgent({ dataDir: agentDir, hubUrl: hub.url, token, logger: silentLogger() });
    const delivered = await agent.callbackNow();
    assert.equal(delivered.status, 'delivered', 'the agent delivered its first callback');

    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(elementTimeoutMillis);
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    await agent?.stop();
    await hub?.cleanup();
    if (agentDir) await rm(agentDir, { recursive: true, force: true });
    if (screenshotDir && !process.env.STRATA_SCREENSHOT_DIR) {
      await rm(screenshotDir, { recursive: true, force: true });
    }
  });

  const signIn = async (target: Page, password: string) => {
    await target.goto(hub.url);
    await target.getByLabel('Name').fill('admin');
    await target.getByLabel('Password').fill(password);
    await target.getByRole('button', { name: 'Sign in' }).click();
  };

  const screenshot = async (name: string, target = page) => {
    const path = join(screenshotDir, name);
    await target.screenshot({ path, fullPage: true });
    const bytes = await readFile(path);
    assert.ok(bytes.subarray(0, 8).equals(pngSignature), `${name} is a PNG`);
  };

  it('refuses a wrong password with a message and shows no machine data', async () => {
    const stranger = await context.browser()!.newContext();
    try {
      stranger.setDefaultTimeout(elementTimeoutMillis);
      const strangerPage = await stranger.newPage();
      await signIn(strangerPage, 'not the password at all');

      const alert = strangerPage.getByRole('alert');
      await alert.waitFor();
      assert.match(await alert.innerText(), /name or password is not right/);
      assert.equal(await strangerPage.getByRole('heading', { name: 'Sign in' }).count(), 1);
      assert.equal(await strangerPage.getByRole('table').count(), 0);
      assert.equal((await strangerPage.content()).includes(hostname()), false);
      assert.equal((await stranger.cookies()).length, 0, 'no session cookie was set');
      await screenshot('sign-in-refused.png', strangerPage);
    } finally {
      await stranger.close();
    }
  });

  it('opens nothing but the password change to the first password, then the pages', async () => {
    await signIn(page, firstPassword);
    await page.getByRole('heading', { name: 'Change password' }).waitFor();
    assert.equal(await page.getByRole('table', { name: 'Machines' }).count(), 0);
    const refused = await page.request.get(`${hub.url}/api/v1/machines`);
    assert.equal(refused.status(), 403);
    assert.equal(((await refused.json()) as { code: string }).code, 'password_change_required');
    await screenshot('password-required.png');

    await page.getByLabel('Current password').fill(firstPassword);
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Repeat new password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();

    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Machines' })
      .click();
    const table = page.getByRole('table', { name: 'Machines' });
    await table.waitFor();
    const rows = table.locator('tbody tr');
    assert.equal(await rows.count(), 1);
    const cells = await rows.first().getByRole('cell').allInnerTexts();
    assert.equal(cells[0], hostname());
    assert.ok(cells[2]!.length > 0, 'the operating system is shown');
    assert.ok(
      cells.some((cell) => /\d (GiB|MiB)$/.test(cell)),
      'memory figures are shown',
    );
    const banner = page.getByRole('region', { name: 'Password change required' });
    assert.equal(await banner.count(), 0, 'no banner after the change');
    assert.equal(existsSync(join(hub.dataDir, 'initial-admin-password')), false);
    await screenshot('machine-list.png');
  });

  it('opens the machine page with its facts and a process table', async () => {
    await page.getByRole('link', { name: hostname(), exact: true }).click();

    const heading = page.getByRole('heading', { level: 1, name: hostname() });
    await heading.waitFor();
    const facts = page.getByRole('region', { name: 'About this machine' });
    await facts.waitFor();
    const factText = await facts.innerText();
    for (const label of ['Full name', 'Operating system', 'Kernel', 'CPU', 'Memory']) {
      assert.ok(factText.includes(label), `the facts show ${label}`);
    }
    assert.match(factText, /\d+ logical/, 'the CPU count is shown');
    assert.match(await page.getByRole('region', { name: 'Latest sample' }).innerText(), /%/);

    const processes = page.getByRole('table', { name: 'Top processes' });
    await processes.waitFor();
    const processRows = processes.locator('tbody tr');
    assert.ok((await processRows.count()) > 0, 'the process table has rows');
    const pids = await processes.locator('tbody tr td:nth-of-type(1)').allInnerTexts();
    assert.ok(
      pids.every((pid) => /^\d+$/.test(pid)),
      `every row shows a process id: ${pids.join(',')}`,
    );
    const history = page.getByRole('region', { name: 'CPU history' });
    const chart = history.getByRole('img', { name: /CPU over \d+ points/ });
    await chart.or(history.getByText('No data for CPU use in this range.')).waitFor();
    await screenshot('machine-page.png');
  });

  it('signs in with the new password and no longer with the first one', async () => {
    const other = await context.browser()!.newContext();
    try {
      other.setDefaultTimeout(elementTimeoutMillis);
      const otherPage = await other.newPage();
      await signIn(otherPage, firstPassword);
      await otherPage.getByRole('alert').waitFor();
      assert.equal(await otherPage.getByRole('table').count(), 0);

      await otherPage.getByLabel('Password').fill(newPassword);
      await otherPage.getByRole('button', { name: 'Sign in' }).click();
      await otherPage.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
      const banner = otherPage.getByRole('region', { name: 'Password change required' });
      assert.equal(await banner.count(), 0);
    } finally {
      await other.close();
    }
  });
});
