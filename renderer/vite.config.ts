// The browser UI's build: one SPA under renderer/, built into dist/renderer/ and served by the
// forge at `/`. In development `npx vite --config renderer/vite.config.ts` proxies the API and
// git routes and the realtime socket to a running server (GITSSY_DEV_SERVER, default
// http://127.0.0.1:3000).
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const target = process.env.GITSSY_DEV_SERVER ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  // fonts and the favicon: shipped in resources/web, copied as they are into the build
  publicDir: fileURLToPath(new URL('../resources/web', import.meta.url)),
  css: { modules: { localsConvention: 'camelCaseOnly' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: true,
    target: 'es2022',
    // the server reads the manifest to list what index.html loads (bench:views measures it)
    manifest: true,
  },
  server: {
    proxy: { '/api': target, '/ping': target, '/socket.io': { target, ws: true } },
  },
});
