/**
 * The Connector ID page in a real browser: the numbers a real agent and the hub issued, and
 * the administrator's actions on them (revoke, restore, reclaim, the tagging policy), each
 * checked in the store and the change log, not only on screen.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startAgent, type RunningAgent } from '../../src/agent/agent.js';
import { readConnectorSettings } from '../../src/hub/connector-id/connector-settings.js';
import { userNumbersFor } from '../../src/hub/connector-id/user-numbers.js';
import { silentLogger } from '../../src/shared/logger.js';
import { ensureWebUiBuilt, launchBrowser } from '../support/browser.js';
import { issueToken } from '../support/test-collector.js';
import { startTestHub, testAdminPassword, type TestHub } from '../support/test-hub.js';
import { storeKind } from '../support/test-store.js';

// A bound on how long a missing element is waited for, so a broken page fails in seconds.
const elementTimeoutMillis = 15_000;

describe(`the Connector ID page in Chromium (${storeKind} store)`, () => {
  let hub: TestHub;
  let agent: RunningAgent;
  let agentDir: string;
  let browser: Browser;
  let page: Page;
  let machineNumber: number;
  let users: Map<string, number>;
  const consoleErrors: string[] = [];

  const changeLog = (action: string) =>
    hub.context.store.query<{ actor: string; subject: string }>(
      'SELECT actor, subject FROM change_log WHERE action = $1',
      [action],
    );

  before(async () => {
    ensureWebUiBuilt();
    hub = await startTestHub();
    agentDir = await mkdtemp(join(tmpdir(), 'strata-agent-'));
    const token = await issueToken(hub, 'agent');
    agent = await startAgent({ dataDir: agentDir, hubUrl: hub.url, token, logger: silentLogger() });
    assert.equal((await agent.callbackNow()).status, 'delivered');
    // The agent claims its machine number beside its first callback.
    let rows: { number: number }[] = [];
    while (rows.length === 0) {
      rows = await hub.context.store.query<{ number: number }>(
        'SELECT number FROM connector_machine_numbers WHERE agent_id = $1',
        [agent.identity.componentId],
      );
      if (rows.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    machineNumber = rows[0]!.number;
    users = await userNumbersFor(hub.context.store, ['alice@EXAMPLE.TEST', 'bob@EXAMPLE.TEST']);

    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(elementTimeoutMillis);
    page.on('dialog', (dialog) => void dialog.accept());

    await page.goto(hub.url);
    await page.getByLabel('Name').fill('admin');
    await page.getByLabel('Password').fill(hub.firstAdministrator!.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The first password opens only the password change.
    await page.getByLabel('Current password').fill(hub.firstAdministrator!.password);
    await page.getByLabel('New password', { exact: true }).fill(testAdminPassword);
    await page.getByLabel('Repeat new password').fill(testAdminPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    // Signed in: the navigation is there.
    await page.getByRole('link', { name: 'Connector ID' }).waitFor();
    // Watched from here: before sign-in the app's session check is answered 401, which
    // Chromium logs as a failed resource although it is the expected answer.
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });

  after(async () => {
    await browser?.close();
    await agent?.stop();
    await hub?.cleanup();
    if (agentDir) await rm(agentDir, { recursive: true, force: true });
  });

  it('lists this machine by host name under its number, and both accounts', async () => {
    await page.getByRole('link', { name: 'Connector ID' }).click();
    const machines = page.getByRole('table', { name: 'Machine numbers' });
    const row = machines.getByRole('row').filter({ hasText: String(machineNumber) });
    await row.waitFor();
    assert.match(await row.innerText(), new RegExp(`${hostname()}[\\s\\S]*active`));

    const accounts = page.getByRole('table', { name: 'User numbers' });
    for (const [account, number] of users) {
      const userRow = accounts.getByRole('row').filter({ hasText: account });
      assert.match(await userRow.innerText(), new RegExp(`\\b${number}\\b`));
    }
  });

  it('revokes and restores the machine number, in the store and the change log', async () => {
    const state = async () =>
      (
        await hub.context.store.query<{ status: string }>(
          'SELECT status FROM connector_machine_numbers WHERE number = $1',
          [machineNumber],
        )
      )[0]!.status;

    await page.getByRole('button', { name: `Revoke number ${machineNumber}` }).click();
    await page.getByRole('button', { name: `Restore number ${machineNumber}` }).waitFor();
    assert.equal(await state(), 'revoked');
    const row = page
      .getByRole('row')
      .filter({ hasText: String(machineNumber) })
      .first();
    assert.match(await row.innerText(), /revoked: its tags are flagged/);

    await page.getByRole('button', { name: `Restore number ${machineNumber}` }).click();
    await page.getByRole('button', { name: `Revoke number ${machineNumber}` }).waitFor();
    assert.equal(await state(), 'active');
  });

  it('reclaims a user number after asking, and it leaves the store and the page', async () => {
    const bob = users.get('bob@EXAMPLE.TEST')!;
    await page.getByRole('button', { name: `Reclaim number ${bob}` }).click();
    await page.getByRole('row').filter({ hasText: 'bob@EXAMPLE.TEST' }).waitFor({
      state: 'detached',
    });

    const left = await hub.context.store.query(
      'SELECT 1 FROM connector_user_numbers WHERE number = $1',
      [bob],
    );
    assert.equal(left.length, 0);
    const logged = await changeLog('connector_id.user_number.reclaim');
    assert.deepEqual(
      logged.map((entry) => entry.subject),
      [String(bob)],
    );
    assert.equal(await page.getByRole('row').filter({ hasText: 'alice@EXAMPLE.TEST' }).count(), 1);
  });

  it('turns tagging on from the policy panel and the hub keeps it', async () => {
    const tagging = page.getByRole('checkbox', { name: /Tag connections/ });
    assert.equal(await tagging.isChecked(), false);
    // A click, not check(): the box shows the hub's answer, which comes a moment later.
    await tagging.click();
    // The page shows what the hub answered, so wait for the store rather than the click.
    let settings = await readConnectorSettings(hub.context.store);
    for (let i = 0; i < 50 && !settings.tagging; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      settings = await readConnectorSettings(hub.context.store);
    }
    assert.deepEqual(settings, { tagging: true, replayProtection: false, sourceUnbound: false });
    assert.equal((await changeLog('connector_id.settings')).length, 1);
    for (let i = 0; i < 50 && !(await tagging.isChecked()); i++) await page.waitForTimeout(100);
    assert.equal(await tagging.isChecked(), true, 'the page shows the policy the hub holds');
    await page.screenshot({ path: join(tmpdir(), 'strata-connector-id-page.png'), fullPage: true });
  });

  it('wrote nothing to the browser console', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
