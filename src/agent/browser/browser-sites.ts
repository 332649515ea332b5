/**
 * The agent's side of browser figures: takes the batches the native messaging host wrote into
 * the browser spool, names each batch's account from the file's owner, and sums them per
 * browser, account and site for the next callback.
 */
import { chmod, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { BrowserSite } from '../../protocol/callback-browser.js';
import { maxBrowserSites } from '../../protocol/callback-browser.js';
import type { AccountNamer } from '../account-names.js';
import { summariseValues } from '../series/sample-series.js';
import type { PageReport } from './browser-report.js';
import { checkReport } from './browser-report.js';
import type { SpoolBatch } from './browser-host.js';

/** Largest batch file read: 1 MiB (50 reports are a few KiB). */
const maxBatchBytes = 1_048_576;

/** Where the spool is by default: under /run for a root agent, else in its data folder. */
export function defaultBrowserSpool(dataDir: string): string {
  return process.getuid?.() === 0 ? '/run/strata/browser' : join(dataDir, 'browser-spool');
}

/** Makes the spool: sticky and writable by all, like /tmp, so each file keeps its owner. */
export async function prepareBrowserSpool(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o1733);
}

interface SiteTotals {
  browser: string;
  account: string;
  site: string;
  loads: PageReport[];
  openTabs: number;
}

/** Reads and empties the spool; counts what it refused, by reason. */
export class BrowserSpool {
  /** Reports and batch files refused, by reason, since the agent started. */
  readonly refused: Record<string, number> = {};

  constructor(readonly dir: string) {}

  /** The sites since the previous take, busiest first; [] when no browser reported. */
  async take(namer: AccountNamer): Promise<BrowserSite[]> {
    const names = (await readdir(this.dir).catch(() => [] as string[])).filter((name) =>
      /^[\w-]+\.json$/.test(name),
    );
    const totals = new Map<string, SiteTotals>();
    for (const name of names.sort()) {
      const path = join(this.dir, name);
      const batch = await this.#read(path);
      await rm(path, { force: true });
      if (!batch) continue;
      const account = await namer.byUid(batch.uid);
      this.#add(totals, batch, account);
    }
    return [...totals.values()]
      .map(siteFigures)
      .sort((a, b) => b.pageLoads - a.pageLoads || b.openTabs - a.openTabs)
      .slice(0, maxBrowserSites);
  }

  async #read(path: string): Promise<(SpoolBatch & { uid: number }) | null> {
    const info = await stat(path).catch(() => null);
    if (!info || !info.isFile() || info.size > maxBatchBytes) return this.#refuse('bad_batch');
    try {
      const batch = JSON.parse(await readFile(path, 'utf8')) as SpoolBatch;
      if (typeof batch.browser !== 'string' || !Array.isArray(batch.reports)) {
        return this.#refuse('bad_batch');
      }
      for (const [reason, n] of Object.entries(batch.refused ?? {})) {
        if (Number.isInteger(n)) this.refused[reason] = (this.refused[reason] ?? 0) + n;
      }
      return { ...batch, browser: batch.browser.slice(0, 64), uid: info.uid };
    } catch {
      return this.#refuse('bad_batch');
    }
  }

  #refuse(reason: string): null {
    this.refused[reason] = (this.refused[reason] ?? 0) + 1;
    return null;
  }

  #add(totals: Map<string, SiteTotals>, batch: SpoolBatch, account: string): void {
    const entry = (site: string) => {
      const key = `${batch.browser}\n${account}\n${site}`;
      let total = totals.get(key);
      if (!total) {
        total = { browser: batch.browser, account, site, loads: [], openTabs: 0 };
        totals.set(key, total);
      }
      return total;
    };
    for (const raw of batch.reports) {
      // Checked again: any account can write a file into the spool, not only the host.
      const report = checkReport(raw);
      if ('refused' in report) {
        this.#refuse(report.refused);
      } else if (report.kind === 'page') {
        entry(report.site).loads.push(report);
      } else {
        // The latest count of a browser replaces the earlier ones for every site it names.
        for (const total of totals.values()) {
          if (total.browser === batch.browser && total.account === account) total.openTabs = 0;
        }
        for (const [site, tabs] of Object.entries(report.sites)) entry(site).openTabs = tabs;
      }
    }
  }
}

function siteFigures(total: SiteTotals): BrowserSite {
  const mean = (values: Array<number | null>) => {
    const known = values.filter((v): v is number => v !== null);
    return known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : null;
  };
  const heaps = total.loads.map((load) => load.jsHeapUsedBytes).filter((v) => v !== null);
  return {
    browser: total.browser,
    account: total.account,
    site: total.site,
    pageLoads: total.loads.length,
    loadMillis: summariseValues(total.loads.map((load) => load.loadMillis)),
    firstByteMillisMean: mean(total.loads.map((load) => load.firstByteMillis)),
    firstPaintMillisMean: mean(total.loads.map((load) => load.firstPaintMillis)),
    transferBytes: total.loads.reduce((sum, load) => sum + (load.transferBytes ?? 0), 0),
    openTabs: total.openTabs,
    jsHeapUsedBytes: heaps.length > 0 ? heaps[heaps.length - 1]! : null,
  };
}
