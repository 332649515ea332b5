import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Run from source (src/hub/*.ts under tsx), `../web/` is the UI's Vite source, whose
// index.html only works through Vite's dev server; the built UI is then in dist/web.
const runsFromSource = import.meta.url.endsWith('.ts');

/**
 * The built web UI: beside the compiled hub (dist/web) or, when the hub runs from source,
 * in dist/web of the checkout. Null when it has not been built.
 */
export function findWebAssets(): string | null {
  const dir = fileURLToPath(
    new URL(runsFromSource ? '../../dist/web/' : '../web/', import.meta.url),
  );
  return existsSync(`${dir}index.html`) ? dir : null;
}

/** Shown instead of the UI when it has not been built, saying how to build it. */
export const notBuiltPage = `<!doctype html><title>Strata</title>
<p>The Strata web UI has not been built. Run <code>npm run build</code>, then reload.
The API is available under <code>/api/v1</code>.</p>`;
