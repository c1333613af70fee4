// The server as one file: dist/server/gitssy.js, the program `gitssy` (package.json "bin").
// tsc's tree (dist/server/**) is the input; our modules and the two pure-ESM libraries with
// hundreds of files each (kysely, zod) go into the bundle, so a start or a CLI command parses one
// file instead of resolving ~650 modules one by one. Every other dependency stays a normal
// import from node_modules: native addons must, and the lazily loaded ones (Stripe, WebAuthn,
// dockerode, Ollama, mail, QR codes, mDNS, PostgreSQL) should still load only when used.
// The markup render worker stays tsc's dist/server/markup/render-worker.js.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const BUNDLED = new Set(['kysely', 'zod']);
const external = Object.keys(pkg.dependencies)
  .filter((name) => !BUNDLED.has(name))
  .map((name) => new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(/|$)`));

export default {
  input: { gitssy: 'dist/server/main.js' },
  platform: 'node',
  external: [/^node:/, ...external],
  output: { dir: 'dist/server', format: 'esm', sourcemap: true },
};
