/**
 * What the Strata browser extension sends: a page's load timings, or the tabs open per site.
 * Everything is checked here, on the host, before it reaches the agent's spool: the
 * extension runs inside a browser that any web page talks to.
 */

export interface PageReport {
  kind: 'page';
  site: string;
  loadMillis: number | null;
  firstByteMillis: number | null;
  domReadyMillis: number | null;
  firstPaintMillis: number | null;
  transferBytes: number | null;
  resourceCount: number | null;
  jsHeapUsedBytes: number | null;
}

export interface TabsReport {
  kind: 'tabs';
  /** Open tabs per site. */
  sites: Record<string, number>;
}

export type BrowserReport = PageReport | TabsReport;

export type ReportRefusal = 'unknown_kind' | 'bad_site' | 'bad_figure' | 'too_many_sites';

/** Longest duration taken as a page timing: one hour. */
const maxTimingMillis = 3_600_000;
/** Most sites one tabs report may name. */
const maxTabSites = 1_000;

/** The site (`scheme://host[:port]`) of an http or https origin, or null. */
export function siteOf(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 512) return null;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

function figure(value: unknown, max: number): number | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    return undefined;
  }
  return value;
}

/** The report in `value`, or why it was refused. */
export function checkReport(value: unknown): BrowserReport | { refused: ReportRefusal } {
  const message = (value ?? {}) as Record<string, unknown>;
  if (message.kind === 'tabs') return checkTabs(message.sites);
  if (message.kind !== 'page') return { refused: 'unknown_kind' };
  const site = siteOf(message.site);
  if (!site) return { refused: 'bad_site' };
  const timings = {
    loadMillis: figure(message.loadMillis, maxTimingMillis),
    firstByteMillis: figure(message.firstByteMillis, maxTimingMillis),
    domReadyMillis: figure(message.domReadyMillis, maxTimingMillis),
    firstPaintMillis: figure(message.firstPaintMillis, maxTimingMillis),
    transferBytes: figure(message.transferBytes, Number.MAX_SAFE_INTEGER),
    resourceCount: figure(message.resourceCount, 1_000_000),
    jsHeapUsedBytes: figure(message.jsHeapUsedBytes, Number.MAX_SAFE_INTEGER),
  };
  if (Object.values(timings).some((v) => v === undefined)) return { refused: 'bad_figure' };
  return { kind: 'page', site, ...(timings as Omit<PageReport, 'kind' | 'site'>) };
}

function checkTabs(value: unknown): TabsReport | { refused: ReportRefusal } {
  if (typeof value !== 'object' || value === null) return { refused: 'bad_site' };
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > maxTabSites) return { refused: 'too_many_sites' };
  const sites: Record<string, number> = {};
  for (const [key, tabs] of entries) {
    const site = siteOf(key);
    if (!site) return { refused: 'bad_site' };
    if (typeof tabs !== 'number' || !Number.isInteger(tabs) || tabs < 0 || tabs > 100_000) {
      return { refused: 'bad_figure' };
    }
    sites[site] = (sites[site] ?? 0) + tabs;
  }
  return { kind: 'tabs', sites };
}
