import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The hub serves whatever lands in <repo>/dist/web, next to the compiled server code.
const webRoot = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../../dist/web', import.meta.url));

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: true,
    // The ECharts chunk (about 170 kB gzipped) loads only on a machine page, never at sign-in
    // or on the list, so its size does not deserve a warning on every build.
    chunkSizeWarningLimit: 600, // kB, minified
  },
});
