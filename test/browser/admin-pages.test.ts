/**
 * The web UI's shell and Administration in Chromium on a seeded site: every page that needs
 * no list API opens without a console or page error and is kept as a screenshot; a policy's
 * callback interval is changed through the page and lands in the store and the change log;
 * the change log filters by action prefix with the filter in the address, and back undoes it;
 * the time range lives in the address; a viewer sees no write actions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPerson } from '../../src/hub/people.js';
import { watchPageErrors } from '../support/page-errors.js';
import { storeKind } from '../support/test-store.js';
import { eventually, openWebUi, type WebUiSession } from '../support/web-ui-session.js';

describe(`the web UI's shell and administration (${storeKind} store)`, () => {
  let ui: WebUiSession;

  before(async () => {
    ui = await openWebUi('admin-pages');
  });
  after(async () => {
    await ui?.close();
  });

  const nav = () => ui.page.getByRole('navigation', { name: 'Main' });
  const heading = (name: string) => ui.page.getByRole('heading', { level: 1, name });

  it('opens the overview, every administration section and Connector ID, no errors', async () => {
    const { page } = ui;
    await heading('Overview').waitFor();
    const figures = page.getByRole('region', { name: 'Site figures' });
    assert.match(await figures.innerText(), /Machines: 3 of 3 reported in the last day/);
    await page.getByRole('heading', { name: /^Experience/ }).waitFor();
    await page.getByRole('heading', { name: 'Worst machines' }).waitFor();
    await page
      .getByText(/No scores yet|Loading worst/)
      .first()
      .waitFor();
    ui.errors.assertNone('on the overview');
    await ui.screenshot('overview');

    await nav().getByRole('link', { name: 'Administration' }).click();
    await heading('Administration').waitFor();
    const sections = page.getByRole('navigation', { name: 'Administration' });
    const expected: Array<[string, string]> = [
      ['Collectors', 'Collectors'],
      ['Agents', 'Agents'],
      ['People and roles', 'People'],
      ['Change log', 'Change log'],
      ['Policies', 'Policies'],
    ];
    for (const [link, table] of expected) {
      await sections.getByRole('link', { name: link }).click();
      await page.getByRole('table', { name: table }).waitFor();
      ui.errors.assertNone(`on Administration, ${link}`);
      await ui.screenshot(`admin-${link.toLowerCase().replace(/\W+/g, '-')}`);
    }
    await sections.getByRole('link', { name: 'Activation tokens' }).click();
    await page.getByRole('button', { name: 'Issue token' }).click();
    const issued = page.getByRole('status').filter({ hasText: 'not shown again' });
    assert.match(await issued.innerText(), /not shown again: \S{20,}/);
    const tokens = page.getByRole('table', { name: 'Activation tokens' });
    const usable = tokens.locator('tbody tr').filter({ hasText: 'usable' });
    await usable.first().waitFor();
    const before = await usable.count();
    await usable.first().getByRole('button', { name: 'End' }).click();
    await tokens.locator('tbody tr').filter({ hasText: 'revoked' }).first().waitFor();
    assert.equal(await usable.count(), before - 1, 'the token ended is no longer usable');
    ui.errors.assertNone('on Administration, Activation tokens');
    await ui.screenshot('admin-activation-tokens');

    await nav().getByRole('link', { name: 'Connector ID' }).click();
    await heading('Connector ID').waitFor();
    ui.errors.assertNone('on Connector ID');
    await ui.screenshot('connector-id');
  });

  it('shows agents with their version, the policy version they run, and state', async () => {
    const { page } = ui;
    await page.goto(`${ui.site.hub.url}/#/admin/agents`);
    const row = page.getByRole('table', { name: 'Agents' }).locator('tbody tr').first();
    await row.waitFor();
    const [cells, versions] = [
      await row.locator('td, th').allInnerTexts(),
      await ui.site.hub.context.store.query<{ v: string }>(
        "SELECT DISTINCT agent_version AS v FROM components WHERE kind = 'agent'",
      ),
    ];
    assert.ok(versions.length > 0 && versions[0]!.v, "intake kept the agents' version");
    assert.equal(cells[1], versions[0]!.v, 'the version each agent reported');
    const text = cells.join(' ');
    assert.match(text, /active/);
    ui.errors.assertNone('on Administration, Agents');
  });

  it('shows collectors with state, version, last report and queue depth', async () => {
    const { page } = ui;
    await page.goto(`${ui.site.hub.url}/#/admin/collectors`);
    const row = page.getByRole('table', { name: 'Collectors' }).locator('tbody tr').first();
    await row.waitFor();
    const cells = await row.getByRole('cell').allInnerTexts();
    assert.ok(cells[1]!.length > 0, 'a version is shown');
    assert.match(cells[2]!, /\d{2}:\d{2} (CET|CEST|GMT\+\d)/, 'the last report in Berlin time');
    assert.match(cells[3]!, /^\d+$/, 'the queue depth is a number');
  });

  it("changes a policy's callback interval, which the store and the change log keep", async () => {
    const { page } = ui;
    await nav().getByRole('link', { name: 'Administration' }).click();
    await page
      .getByRole('navigation', { name: 'Administration' })
      .getByRole('link', { name: 'Policies' })
      .click();
    const [policy] = await ui.site.hub.context.store.query<{
      id: string;
      name: string;
      version: number;
    }>(`SELECT id, name, version FROM policies WHERE kind = 'agent' AND is_default`);
    assert.ok(policy, 'the site has a default agent policy');

    const field = page.getByLabel(`Callback interval of ${policy.name} in seconds`);
    await field.fill('5');
    await field.press('Enter');
    assert.match(await page.getByRole('alert').innerText(), /from 10 to 86400/);

    await field.fill('420');
    await page
      .getByRole('row', { name: new RegExp(policy.name) })
      .getByRole('button', { name: 'Save interval' })
      .click();
    await page
      .getByRole('status')
      .filter({ hasText: `now version ${policy.version + 1}` })
      .waitFor();
    ui.errors.assertNone('while changing a policy');
    await ui.screenshot('admin-policy-changed');

    const [stored] = await ui.site.hub.context.store.query<{
      version: number;
      settings: { callbackIntervalSeconds: number };
    }>('SELECT version, settings FROM policies WHERE id = $1', [policy.id]);
    assert.equal(stored!.version, policy.version + 1);
    assert.equal(stored!.settings.callbackIntervalSeconds, 420);
    const logged = await ui.site.hub.context.store.query<{ actor: string }>(
      `SELECT actor FROM change_log WHERE action LIKE 'policy.%' AND subject LIKE '%' || $1 || '%'`,
      [policy.id],
    );
    assert.ok(
      logged.some((row) => row.actor === 'person:admin'),
      'the change log names the admin',
    );
  });

  it("changes a person's role and removes a person, but keeps the last administrator", async () => {
    const { page } = ui;
    const store = ui.site.hub.context.store;
    await createPerson(store, { name: 'dora', role: 'viewer', actor: 'test' });
    await page.goto(`${ui.site.hub.url}/#/admin/people`);
    await page.getByLabel('Role of dora').selectOption('operator');
    await page.getByRole('status').filter({ hasText: 'dora is now operator' }).waitFor();
    const role = async (name: string) =>
      (await store.query<{ role: string }>('SELECT role FROM people WHERE name = $1', [name]))[0]
        ?.role;
    assert.equal(await role('dora'), 'operator');

    ui.errors.assertNone('on Administration, People');
    await page.getByLabel('Role of admin').selectOption('viewer');
    await page.getByRole('alert').filter({ hasText: 'last administrator' }).waitFor();
    assert.equal(await role('admin'), 'administrator');
    // The refusal is the one error here: Chromium logs the hub's 409 answer.
    const refused = ui.errors.take();
    assert.equal(refused.length, 1, refused.join('\n'));
    assert.match(refused[0]!, /status of 409 .*\/api\/v1\/people\/admin/);

    page.once('dialog', (dialog) => void dialog.accept());
    const row = page.getByRole('row').filter({ hasText: 'dora' });
    await row.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('status').filter({ hasText: 'dora was removed' }).waitFor();
    assert.equal(await role('dora'), undefined);
    ui.errors.assertNone('on Administration, People');
  });

  it("changes the site's retention and time zone, and says why a bad zone is refused", async () => {
    const { page } = ui;
    const store = ui.site.hub.context.store;
    await page.goto(`${ui.site.hub.url}/#/admin/settings`);
    await page.getByLabel('Days of detail kept').fill('45');
    await page.getByLabel(/Storage ceiling/).fill('2');
    await page.getByRole('button', { name: 'Save retention' }).click();
    await page.getByRole('status').filter({ hasText: 'Retention saved' }).waitFor();
    const [retention] = await store.query<{ value: Record<string, number> }>(
      "SELECT value FROM hub_settings WHERE key = 'retention'",
    );
    assert.deepEqual(retention!.value, { detailDays: 45, ceilingBytes: 2 * 1024 ** 3 });

    ui.errors.assertNone('on Administration, Settings');
    await page.getByLabel(/Time zone \(IANA/).fill('Not/AZone');
    await page.getByRole('button', { name: 'Save time zone' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    assert.equal(ui.errors.take().length, 1, 'the refusal (400) is the one error');
    await page.getByLabel(/Time zone \(IANA/).fill('Asia/Tokyo');
    await page.getByRole('button', { name: 'Save time zone' }).click();
    await page.getByRole('status').filter({ hasText: 'Asia/Tokyo' }).waitFor();
    const [zone] = await store.query<{ value: unknown }>(
      "SELECT value FROM hub_settings WHERE key = 'site_time_zone'",
    );
    assert.match(JSON.stringify(zone!.value), /Asia\/Tokyo/);
    ui.errors.assertNone('on Administration, Settings');
  });

  it('filters the change log by action prefix in the address, and back undoes it', async () => {
    const { page } = ui;
    await page.goto(`${ui.site.hub.url}/#/admin/change-log`);
    const table = page.getByRole('table', { name: 'Change log' });
    await table.waitFor();
    const before = await table.locator('tbody tr').count();

    await page.getByLabel('Action').fill('policy.');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/action=policy\./);
    const actionCells = table.locator('tbody tr td:nth-child(3)');
    await eventually('only policy actions are listed', async () =>
      (await actionCells.allInnerTexts()).every((action) => action.startsWith('policy.')),
    );
    const actions = await actionCells.allInnerTexts();
    assert.ok(actions.length > 0 && actions.length < before, `${actions.length} of ${before}`);
    assert.ok(
      actions.every((action) => action.startsWith('policy.')),
      actions.join(','),
    );
    await ui.screenshot('admin-change-log-filtered');

    await page.goBack();
    await page.waitForURL((url) => !url.hash.includes('action='));
    const rows = table.locator('tbody tr');
    await eventually('the whole log is back', async () => (await rows.count()) === before);
    ui.errors.assertNone('on the change log');
  });

  it('keeps the time range of a machine page in the address; back returns to the day', async () => {
    const { page } = ui;
    await page.goto(`${ui.site.hub.url}/#/admin/agents`);
    await page.getByRole('link', { name: ui.site.hostnames[0]!, exact: true }).click();
    await heading(ui.site.hostnames[0]!).waitFor();
    const cpu = page.getByRole('region', { name: 'CPU history' });
    await cpu.getByRole('img', { name: /CPU over 4 points/ }).waitFor();
    await page
      .getByRole('region', { name: 'Memory history' })
      .getByRole('img', { name: /Memory used over 4 points/ })
      .waitFor();

    await page
      .getByRole('group', { name: 'Time range' })
      .getByRole('button', { name: 'Hour' })
      .click();
    await page.waitForURL(/range=hour/);
    // The last hour holds the newest callback (and possibly the one an hour before it).
    await cpu.getByRole('img', { name: /CPU over [12] points?/ }).waitFor();
    await ui.screenshot('machine-hour');

    await page.goBack();
    await page.waitForURL((url) => !url.hash.includes('range='));
    await cpu.getByRole('img', { name: /CPU over 4 points/ }).waitFor();
    await ui.screenshot('machine-day');
  });

  it('shows a viewer the policies with no way to change them, and no admin sections', async () => {
    const person = await createPerson(ui.site.hub.context.store, {
      name: 'vera',
      role: 'viewer',
      actor: 'test',
    });
    assert.ok(person);
    const context = await ui.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const errors = watchPageErrors(context);
      const page = await context.newPage();
      await page.goto(`${ui.site.hub.url}/#/admin/policies`);
      await page.getByLabel('Name').fill('vera');
      await page.getByLabel('Password').fill(person.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('Current password').fill(person.password);
      await page.getByLabel('New password', { exact: true }).fill('vera has her own password now');
      await page.getByLabel('Repeat new password').fill('vera has her own password now');
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('table', { name: 'Policies' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Save interval' }).count(), 0);
      const sections = await page
        .getByRole('navigation', { name: 'Administration' })
        .getByRole('link')
        .allInnerTexts();
      assert.deepEqual(sections, ['Collectors', 'Agents', 'Policies']);
      errors.assertNone("on a viewer's policies page");
      await ui.screenshot('viewer-policies', page);
    } finally {
      await context.close();
    }
  });
});
