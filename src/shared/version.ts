import { createRequire } from 'node:module';

// The package file sits two folders up both from src/shared and from dist/shared.
const packageJson = createRequire(import.meta.url)('../../package.json') as { version: string };

/** Strata's version, as in package.json. */
export const strataVersion = packageJson.version;
