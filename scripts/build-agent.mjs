// Bundles the agent into one file, dist/agent/strata-agent.mjs (`npm run build:agent`): all of
// its JavaScript dependencies inside, Node.js itself and the optional native parts outside.
// The netfilter queue addon, where it was built, is copied beside the bundle, where the agent
// looks for it first; without it the agent runs and only cannot tag connections.
import { copyFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'agent');
const bundlePath = join(outDir, 'strata-agent.mjs');
const addonBuilt = join(root, 'native', 'nfqueue', 'build', 'Release', 'strata_nfqueue.node');
const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));

// The sources read the version from package.json at run time; the bundle travels without it.
const versionInline = {
  name: 'strata-version-inline',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]src[\\/]shared[\\/]version\.ts$/ }, () => ({
      contents: `export const strataVersion = ${JSON.stringify(version)};\n`,
      loader: 'ts',
    }));
  },
};

// dist/agent also holds the compiled agent every `strata` command imports: only the bundle's
// own files are replaced.
for (const name of ['strata-agent.mjs', 'strata-agent.mjs.LEGAL.txt', 'strata_nfqueue.node'])
  await rm(join(outDir, name), { force: true });
await mkdir(outDir, { recursive: true });
const result = await build({
  entryPoints: [join(root, 'src', 'cli', 'agent-main.ts')],
  outfile: bundlePath,
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  format: 'esm',
  minify: true,
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
  plugins: [versionInline],
  // Optional native parts stay outside: the libpcap binding is the collector's, never the agent's.
  external: ['pcap', '*.node'],
  // Some CommonJS dependencies call require(); an ESM bundle has none of its own.
  banner: {
    js:
      "import { createRequire as strataCreateRequire } from 'node:module';\n" +
      'const require = strataCreateRequire(import.meta.url);',
  },
});

if (existsSync(addonBuilt)) await copyFile(addonBuilt, join(outDir, 'strata_nfqueue.node'));
const bytes = (await stat(bundlePath)).size;
const inputs = Object.keys(result.metafile.inputs).length;
console.log(
  `${relative(root, bundlePath)}: ${(bytes / 1_048_576).toFixed(2)} MiB from ${inputs} files` +
    (existsSync(addonBuilt) ? '; netfilter queue addon copied beside it' : ''),
);
