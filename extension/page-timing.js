// Runs in each page once it has loaded: reads the browser's own navigation and paint timings
// and hands them to the extension's background, which forwards them to the Strata agent.
// Only the page's origin (scheme, host, port) is sent, never its path or query.
(() => {
  const report = () => {
    const [navigation] = performance.getEntriesByType('navigation');
    if (!navigation || navigation.loadEventEnd <= 0) return false;
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    const since = (mark) => (mark > 0 ? Math.round(mark - navigation.startTime) : null);
    chrome.runtime.sendMessage({
      kind: 'page',
      site: location.origin,
      loadMillis: since(navigation.loadEventEnd),
      firstByteMillis: since(navigation.responseStart),
      domReadyMillis: since(navigation.domContentLoadedEventEnd),
      firstPaintMillis: paint ? Math.round(paint.startTime) : null,
      transferBytes: navigation.transferSize ?? null,
      resourceCount: performance.getEntriesByType('resource').length,
      // Chromium only: the page's JavaScript heap.
      jsHeapUsedBytes: performance.memory?.usedJSHeapSize ?? null,
    });
    return true;
  };
  // document_idle can come before the load event ends; try again a moment later.
  if (!report()) addEventListener('load', () => setTimeout(report, 0), { once: true });
})();
