import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';

import { createAccountNamer } from '../account-names.js';
import { runBrowserHost } from './browser-host.js';
import { BrowserSpool, prepareBrowserSpool } from './browser-sites.js';
import { chromiumExtensionId } from './host-manifests.js';
import { frame } from './native-messaging.js';

const page = (site: string, loadMillis: number) => ({
  kind: 'page',
  site,
  loadMillis,
  firstByteMillis: 40,
  domReadyMillis: 90,
  firstPaintMillis: 60,
  transferBytes: 1_000,
  resourceCount: 3,
  jsHeapUsedBytes: 2_000_000,
});

describe('the browser host and the browser spool', () => {
  let spool: string;
  before(async () => {
    spool = await mkdtemp(join(tmpdir(), 'strata-browser-'));
    await prepareBrowserSpool(spool);
  });
  after(() => rm(spool, { recursive: true, force: true }));

  it('keeps good reports, counts bad ones by reason, and sums them per site', async () => {
    const input = new PassThrough();
    const running = runBrowserHost({ spoolDir: spool, input, browser: 'chromium' });
    const oversized = Buffer.alloc(8);
    oversized.writeUInt32LE(1_000_000, 0);
    const badJson = Buffer.from([5, 0, 0, 0, 0x7b, 0x7b, 0x7b, 0x7b, 0x7b]);
    const whole = Buffer.concat([
      frame(page('https://intranet.example', 900)),
      frame(page('https://intranet.example/some/path?q=secret', 1_100)),
      badJson,
      frame(page('javascript:alert(1)', 5)),
      frame({ ...page('https://mail.example', 200), loadMillis: -4 }),
      frame({ kind: 'cookies', all: true }),
      frame({ kind: 'tabs', sites: { 'https://intranet.example': 2, 'https://mail.example': 1 } }),
      oversized,
    ]);
    // Sent in small pieces, as a pipe may deliver it.
    for (let at = 0; at < whole.length; at += 7) input.write(whole.subarray(at, at + 7));
    input.end(Buffer.alloc(1_000_000 - 4));
    await running;

    const reader = new BrowserSpool(spool);
    const sites = await reader.take(await createAccountNamer('desk1', ''));
    assert.equal(sites.length, 2);
    const intranet = sites.find((s) => s.site === 'https://intranet.example')!;
    assert.equal(intranet.pageLoads, 2, 'the path and query are dropped, the site kept');
    assert.deepEqual(intranet.loadMillis, {
      count: 2,
      min: 900,
      mean: 1_000,
      max: 1_100,
      p95: 1_100,
    });
    assert.equal(intranet.openTabs, 2);
    assert.equal(intranet.browser, 'chromium');
    assert.equal(sites.find((s) => s.site === 'https://mail.example')?.openTabs, 1);
    assert.deepEqual(reader.refused, {
      ...{ malformed: 1, bad_site: 1, bad_figure: 1, unknown_kind: 1, oversized: 1 },
    });
    assert.deepEqual(await readdir(spool), [], 'the spool is emptied');
    assert.equal(JSON.stringify(sites).includes('secret'), false);
  });

  it('counts a file that is not a batch, and removes it', async () => {
    await writeFile(join(spool, 'garbage.json'), 'not json at all');
    const reader = new BrowserSpool(spool);
    assert.deepEqual(await reader.take(await createAccountNamer('desk1', '')), []);
    assert.deepEqual(reader.refused, { bad_batch: 1 });
    assert.deepEqual(await readdir(spool), []);
  });

  it("names the extension by the id Chromium derives from its manifest's key", async () => {
    const manifest = JSON.parse(await readFile('extension/manifest.json', 'utf8'));
    const digest = createHash('sha256').update(Buffer.from(manifest.key, 'base64')).digest('hex');
    const id = [...digest.slice(0, 32)].map((h) => String.fromCharCode(97 + parseInt(h, 16)));
    assert.equal(id.join(''), chromiumExtensionId);
  });
});
