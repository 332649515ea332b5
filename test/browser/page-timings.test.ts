import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';

import { createAccountNamer } from '../../src/agent/account-names.js';
import { BrowserSpool, prepareBrowserSpool } from '../../src/agent/browser/browser-sites.js';
import { hostManifest, hostName, hostScript } from '../../src/agent/browser/host-manifests.js';
import { storeCallbacks } from '../../src/intake/store-callbacks.js';
import type { BrowserSite } from '../../src/protocol/callback-browser.js';
import { launchWithExtension } from '../support/browser.js';
import { sampleCallback } from '../support/sample-callback.js';
import {
  addTestComponent,
  createTestStore,
  storeKind,
  type TestStore,
} from '../support/test-store.js';

const extensionDir = resolve('extension');
const strataMain = resolve('dist/cli/main.js');

describe(`page timings from the Strata extension in Chromium (${storeKind} store)`, () => {
  let dir: string;
  let spool: string;
  let server: Server;
  let site: string;
  let browser: BrowserContext;
  let test: TestStore;

  before(async () => {
    test = await createTestStore();
    dir = await mkdtemp(join(tmpdir(), 'strata-page-timings-'));
    spool = join(dir, 'spool');
    await prepareBrowserSpool(spool);
    // The host manifest where Chromium looks for a profile's own: <profile>/NativeMessagingHosts.
    const script = join(dir, 'strata-browser-host');
    await writeFile(script, hostScript(process.execPath, strataMain, spool));
    await chmod(script, 0o755);
    const profile = join(dir, 'profile');
    await mkdir(join(profile, 'NativeMessagingHosts'), { recursive: true });
    await writeFile(
      join(profile, 'NativeMessagingHosts', `${hostName}.json`),
      JSON.stringify(hostManifest('chromium', script)),
    );
    server = createServer((request, response) => {
      if (request.url === '/logo.svg') {
        response.setHeader('content-type', 'image/svg+xml');
        response.end('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>');
        return;
      }
      // A page that takes a moment, as a slow intranet page does.
      setTimeout(() => response.end('<h1>Timesheets</h1><img src="/logo.svg">'), 150);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    site = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchWithExtension(profile, extensionDir);
  });
  after(async () => {
    await browser?.close();
    server?.close();
    await test?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('times each page load and counts the open tabs, per site, and stores them', async () => {
    const tab = await browser.newPage();
    for (let visit = 0; visit < 3; visit++) {
      await tab.goto(`${site}/timesheets?week=${visit}`, { waitUntil: 'load' });
    }

    const reader = new BrowserSpool(spool);
    const namer = await createAccountNamer(hostname(), '');
    let mine: BrowserSite | undefined;
    const loads: BrowserSite[] = [];
    for (let tries = 0; tries < 60 && (mine?.pageLoads ?? 0) < 3; tries++) {
      await new Promise((r) => setTimeout(r, 250));
      loads.push(...(await reader.take(namer)).filter((s) => s.site === site));
      mine = loads.reduce<BrowserSite | undefined>(
        (sum, s) => (sum ? { ...s, pageLoads: sum.pageLoads + s.pageLoads } : s),
        undefined,
      );
    }
    assert.ok(mine, `no report for ${site}; refused: ${JSON.stringify(reader.refused)}`);
    assert.equal(mine.pageLoads, 3);
    assert.equal(mine.browser, 'chromium');
    assert.equal(mine.account, await namer.byUid(process.getuid!()));
    const first = loads[0]!;
    assert.ok(first.loadMillis!.min >= 150, `the server took 150 ms: ${first.loadMillis!.min}`);
    assert.ok(loads.some((s) => s.openTabs === 1));

    const agentId = await addTestComponent(test.store, 'agent');
    const callback = { ...sampleCallback(), callbackId: randomUUID(), browserSites: [first] };
    await storeCallbacks(test.store, [{ agentId, callback }]);
    const rows = await test.store.query<{ site: string; page_loads: number }>(
      'SELECT site, page_loads FROM browser_site_samples WHERE callback_id = $1',
      [callback.callbackId],
    );
    assert.deepEqual(rows, [{ site, page_loads: first.pageLoads }]);
  });
});
