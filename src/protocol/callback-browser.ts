/**
 * Browser figures a callback may carry: per browser, account and site (scheme, host and port;
 * never a path), the page loads the Strata extension timed since the previous callback and
 * the tabs open on that site.
 */
import type { FigureSummary } from './callback-series.js';

/** Most sites one callback may carry; the most visited come first. */
export const maxBrowserSites = 1_000;

export interface BrowserSite {
  /** The browser's executable: `chromium`, `chrome`, `msedge`, `firefox`, ... */
  browser: string;
  account: string;
  /** `https://example.com`, or with a port where it is not the scheme's own. */
  site: string;
  pageLoads: number;
  /** From navigation start to the end of the load event, over the page loads. */
  loadMillis: FigureSummary | null;
  /** Means over the page loads that had the figure. */
  firstByteMillisMean: number | null;
  firstPaintMillisMean: number | null;
  transferBytes: number;
  /** Tabs open on the site at the browser's latest count. */
  openTabs: number;
  /** The JavaScript heap of the site's pages at their latest loads (Chromium only). */
  jsHeapUsedBytes: number | null;
}

export interface CallbackBrowser {
  browserSites?: BrowserSite[];
}

const count = { type: 'number', minimum: 0 };
const countOrNull = { anyOf: [count, { type: 'null' }] };

/** JSON schema properties for `CallbackBrowser`, merged into the callback's schema. */
export const callbackBrowserProperties = {
  browserSites: {
    type: 'array',
    maxItems: maxBrowserSites,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['browser', 'account', 'site', 'pageLoads', 'loadMillis', 'openTabs'],
      properties: {
        browser: { type: 'string', maxLength: 64 },
        account: { type: 'string', maxLength: 512 },
        site: { type: 'string', maxLength: 512 },
        pageLoads: { type: 'integer', minimum: 0 },
        loadMillis: {
          anyOf: [
            {
              type: 'object',
              additionalProperties: false,
              required: ['count', 'min', 'mean', 'max', 'p95'],
              properties: { count, min: count, mean: count, max: count, p95: count },
            },
            { type: 'null' },
          ],
        },
        firstByteMillisMean: countOrNull,
        firstPaintMillisMean: countOrNull,
        transferBytes: count,
        openTabs: { type: 'integer', minimum: 0 },
        jsHeapUsedBytes: countOrNull,
      },
    },
  },
} as const;
