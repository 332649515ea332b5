// Builds the netfilter queue addon (native/nfqueue) when this machine can: Linux, with
// libnetfilter_queue's headers. Runs at `npm ci` and as `npm run build:nfqueue`; it never fails
// the install, since the agent works without the addon (it only cannot tag connections then).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addonDir = join(root, 'native', 'nfqueue');
const header = '/usr/include/libnetfilter_queue/libnetfilter_queue.h';
const skip = (why) => {
  console.log(`Connector ID tagging addon not built: ${why}.`);
  console.log('  To enable it: apt-get install libnetfilter-queue-dev && npm run build:nfqueue');
  process.exit(0);
};

if (process.platform !== 'linux') skip('it is for Linux only');
if (!existsSync(header)) skip(`${header} is missing`);

// npm carries its own node-gyp; use it, so nothing is fetched.
const npmCli = process.env.npm_execpath;
const nodeGyp = [
  npmCli && join(dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
].find((path) => path && existsSync(path));
if (!nodeGyp) skip('node-gyp was not found next to npm');

// Node's own headers, where the distribution installed them, so node-gyp downloads none.
const nodeDir = join(dirname(process.execPath), '..');
const nodeDirArgs = existsSync(join(nodeDir, 'include', 'node', 'node_api.h'))
  ? [`--nodedir=${nodeDir}`]
  : [];
const built = spawnSync(
  process.execPath,
  [nodeGyp, 'rebuild', '--loglevel=error', ...nodeDirArgs],
  {
    cwd: addonDir,
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
if (built.status !== 0) skip(`node-gyp failed with exit code ${built.status}`);
console.log('Connector ID tagging addon built: native/nfqueue/build/Release/strata_nfqueue.node');
