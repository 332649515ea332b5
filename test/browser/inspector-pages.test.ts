/**
 * The inspectors in Chromium on a seeded site (callbacks through the real intake): every list
 * page opens with rows and no console or page error, kept as a screenshot; the header search
 * and a table sort work from the keyboard alone; a user leads to a connection and its
 * destination and back; an export downloads exactly the filtered rows; a saved filter from
 * one list applies to another.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { storeKind } from '../support/test-store.js';
import { eventually, openWebUi, type WebUiSession } from '../support/web-ui-session.js';

const listPages = [
  'Machines',
  'Users',
  'Applications',
  'Processes',
  'Logons',
  'Connections',
  'Destinations',
];

describe(`the inspectors in Chromium (${storeKind} store)`, () => {
  let ui: WebUiSession;

  before(async () => {
    ui = await openWebUi('inspector-pages');
  });
  after(async () => {
    await ui?.close();
  });

  const nav = () => ui.page.getByRole('navigation', { name: 'Main' });
  const heading = (name: string | RegExp) => ui.page.getByRole('heading', { level: 1, name });
  const table = (name: string) => ui.page.getByRole('table', { name, exact: true });

  it('opens every list page with rows and without errors', async () => {
    for (const name of listPages) {
      await nav().getByRole('link', { name, exact: true }).click();
      await heading(name).waitFor();
      const rows = table(name).locator('tbody tr');
      await rows.first().waitFor();
      assert.ok((await rows.count()) > 0, `${name} has rows`);
      ui.errors.assertNone(`on ${name}`);
      await ui.screenshot(`list-${name.toLowerCase()}`);
    }
    await nav().getByRole('link', { name: 'Applications', exact: true }).click();
    await table('Applications').getByRole('link', { name: 'excel', exact: true }).click();
    await heading(/excel/).waitFor();
    await table('Processes').locator('tbody tr').first().waitFor();
    ui.errors.assertNone("on an application's page");
    await ui.screenshot('application');

    const machines = await ui.page.request.get(`${ui.site.hub.url}/api/v1/lists/machines`);
    assert.equal(((await machines.json()) as { rows: unknown[] }).rows.length, 3);
  });

  it('finds a machine from the header search and sorts a table, keyboard only', async () => {
    const { page } = ui;
    await page.goto(`${ui.site.hub.url}/#/overview`);
    await heading('Overview').waitFor();
    await page.keyboard.press('/');
    await page.keyboard.type('desk-02');
    const option = page.getByRole('option', { name: /desk-02/ });
    await option.first().waitFor();
    await ui.screenshot('search-hits');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await heading('desk-02').waitFor();
    ui.errors.assertNone('after the search');

    await page.goto(`${ui.site.hub.url}/#/processes`);
    await table('Processes').locator('tbody tr').first().waitFor();
    // Tab through the page until the PID header has the focus, then sort with Enter.
    await eventually('the PID header has the focus', async () => {
      await page.keyboard.press('Tab');
      return page.evaluate(
        `document.activeElement?.textContent?.trim() === 'PID'`,
      ) as Promise<boolean>;
    });
    await page.keyboard.press('Enter');
    await page.waitForURL(/sort=pid&order=asc/);
    const pidHeader = page.getByRole('columnheader', { name: /PID/ });
    await eventually(
      'the header says ascending',
      async () => (await pidHeader.getAttribute('aria-sort')) === 'ascending',
    );
    const pidColumn = await columnIndex('Processes', 'PID');
    const pids = await numbersIn('Processes', pidColumn);
    assert.deepEqual(
      pids,
      [...pids].sort((a, b) => a - b),
      'ascending by PID',
    );
    assert.equal(pids[0], 1000);

    await page.keyboard.press('Enter');
    await page.waitForURL(/sort=pid&order=desc/);
    await eventually('descending', async () => {
      const values = await numbersIn('Processes', pidColumn);
      return values[0]! > values[values.length - 1]!;
    });
    ui.errors.assertNone('while sorting');
    await ui.screenshot('processes-sorted');
  });

  const columnIndex = async (name: string, label: string) => {
    const labels = await table(name).locator('thead th').allInnerTexts();
    const index = labels.findIndex((text) => text.replace(/[▲▼]/g, '').trim() === label);
    assert.ok(index >= 0, `${name} has a ${label} column: ${labels.join('|')}`);
    return index + 1;
  };
  const numbersIn = async (name: string, column: number) =>
    (await table(name).locator(`tbody tr td:nth-child(${column})`).allInnerTexts()).map((text) =>
      Number(text.replace(/,/g, '')),
    );

  it('leads from a user to their machine, a process, its connection and destination', async () => {
    const { page } = ui;
    await page.goto(`${ui.site.hub.url}/#/users`);
    await page.getByRole('link', { name: 'desk01@CORP.EXAMPLE' }).first().click();
    await heading(/desk01@CORP\.EXAMPLE/).waitFor();
    await page
      .getByRole('region', { name: 'Logon durations' })
      .getByRole('img', { name: /Logon time over \d+ points/ })
      .waitFor();
    await table('Applications used').locator('tbody tr').first().waitFor();
    // 4 callbacks from desk-01 in the last day, each point the sum over the user's processes.
    await page
      .getByRole('region', { name: 'CPU history' })
      .getByRole('img', { name: /CPU over 4 points/ })
      .waitFor();
    await page
      .getByRole('region', { name: 'Memory history' })
      .getByRole('img', { name: /Memory used over 4 points/ })
      .waitFor();
    ui.errors.assertNone("on a user's page");
    await ui.screenshot('user');

    await table('Machines used').getByRole('link', { name: 'desk-01', exact: true }).click();
    await heading('desk-01').waitFor();
    const processes = table('Processes on this machine');
    await processes.locator('tbody tr').first().waitFor();
    await processes.getByRole('button', { name: 'PID' }).click();
    await page.waitForURL(/p\.sort=pid/);
    await processes.getByRole('link', { name: '1000', exact: true }).first().click();
    await heading(/\(1000\)/).waitFor();
    await ui.screenshot('process');

    const connections = table('Connections');
    await connections.locator('tbody tr').first().waitFor();
    const addresses = await connections
      .getByRole('link', { name: /^198\.51\.100\./ })
      .allInnerTexts();
    assert.ok(
      addresses.length > 0 && addresses.every((address) => address === '198.51.100.10'),
      addresses.join(','),
    );
    await connections.getByRole('link', { name: '198.51.100.10' }).first().click();
    await heading(/198\.51\.100\.10/).waitFor();
    await table('Connections to it').locator('tbody tr').first().waitFor();
    ui.errors.assertNone('on the way from a user to a destination');
    await ui.screenshot('destination');

    await page.goBack();
    await heading(/\(1000\)/).waitFor();
  });

  it('exports the filtered connections as CSV and JSON with exactly their rows', async () => {
    const { page } = ui;
    await page.goto(`${ui.site.hub.url}/#/connections?port=53`);
    const connections = table('Connections');
    await connections.locator('tbody tr').first().waitFor();

    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    const csvText = await readFile((await csv.path())!, 'utf8');
    const lines = csvText.trim().split(/\r?\n/);
    // Each machine sent 4 callbacks with 2 connections to port 53.
    assert.equal(lines.length, 1 + 3 * 4 * 2, csvText.slice(0, 400));
    assert.ok(
      lines.slice(1).every((line) => /,53,/.test(line)),
      'every row is to port 53',
    );

    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export JSON' }).click(),
    ]);
    const rows = JSON.parse(await readFile((await json.path())!, 'utf8')) as Array<{
      remotePort: number;
    }>;
    assert.equal(rows.length, 3 * 4 * 2);
    assert.ok(rows.every((row) => Number(row.remotePort) === 53));
    ui.errors.assertNone('while exporting');
  });

  it('saves a filter on one list and applies it on another', async () => {
    const { page } = ui;
    await page.goto(`${ui.site.hub.url}/#/processes`);
    await page.getByLabel('Search Processes').fill('excel');
    await page.getByLabel('Search Processes').press('Enter');
    await page.waitForURL(/q=excel/);
    await page.getByLabel('Name for this filter').fill('Excel only');
    await page.getByRole('button', { name: 'Save filter' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved as “Excel only”' }).waitFor();

    await page.goto(`${ui.site.hub.url}/#/machines/${await machineId('desk-03')}`);
    const processes = table('Processes on this machine');
    await processes.locator('tbody tr').first().waitFor();
    const region = page.getByRole('region', { name: 'Processes on this machine' });
    await region.getByLabel('Saved filter').selectOption({ label: 'Excel only' });
    await region.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/p\.q=excel/);
    const column = await columnIndex('Processes on this machine', 'Process');
    await eventually('only excel processes', async () => {
      const names = await processes.locator(`tbody tr td:nth-child(${column})`).allInnerTexts();
      return names.length > 0 && names.every((name) => name.startsWith('excel'));
    });
    ui.errors.assertNone('with a saved filter');
    await ui.screenshot('machine-saved-filter');
  });

  const machineId = async (hostname: string) => {
    const [row] = await ui.site.hub.context.store.query<{ id: string }>(
      'SELECT id FROM machines WHERE hostname = $1',
      [hostname],
    );
    return row!.id;
  };
});
