import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The built web UI: beside the compiled hub (dist/web) or, when the hub runs from source,
 * in dist/web of the checkout. Null when it has not been built.
 */
export function findWebAssets(): string | null {
  const candidates = ['../web/', '../../dist/web/'].map((path) =>
    fileURLToPath(new URL(path, import.meta.url)),
  );
  return candidates.find((dir) => existsSync(`${dir}index.html`)) ?? null;
}

/** Shown instead of the UI when it has not been built, saying how to build it. */
export const notBuiltPage = `<!doctype html><title>Strata</title>
<p>The Strata web UI has not been built. Run <code>npm run build</code>, then reload.
The API is available under <code>/api/v1</code>.</p>`;
