// Runs every test file (src/**/*.test.ts and test/**/*.test.ts) with Node's test runner.
// STRATA_TEST_DATABASE_URL=postgres://... runs the same suite against a PostgreSQL server.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : [...findTests('src'), ...findTests('test')].sort();
const store = process.env.STRATA_TEST_DATABASE_URL ? 'PostgreSQL server' : 'embedded store';
console.log(`Running ${files.length} test files against the ${store}`);

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...files],
  {
    stdio: 'inherit',
    env: { ...process.env, STRATA_LOG_LEVEL: process.env.STRATA_LOG_LEVEL ?? 'silent' },
  },
);
process.exit(result.status ?? 1);
