// The layering of the tree, checked by `npm run lint` (part of `npm test`):
// - server/lib, server/db and server/git are the base: they import no feature;
// - a feature folder (any other folder under server/) reaches another feature only through
//   that feature's public index.ts; the base may be imported anywhere;
// - the renderer never imports server source, except types from the one shared entry
//   (server/api-types.ts), and only as `import type`;
// - no cycles, anywhere.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Cycles make the load order an accident and every module depend on every other.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'base-imports-no-feature',
      severity: 'error',
      comment: 'server/lib, server/db and server/git are the base every feature stands on; they import no feature.',
      from: { path: '^server/(lib|db|git)/' },
      to: { path: '^server/', pathNot: ['^server/(lib|db|git)/', '^server/config\\.ts$'] },
    },
    {
      name: 'feature-through-index',
      severity: 'error',
      comment: "A feature reaches another feature only through its public index.ts, never its internals.",
      from: { path: '^server/([^/]+)/' },
      to: {
        path: '^server/[^/]+/',
        pathNot: ['^server/$1/', '^server/(lib|db|git)/', '^server/[^/]+/index\\.ts$'],
      },
    },
    {
      name: 'renderer-no-server-source',
      severity: 'error',
      comment: 'The renderer talks to the server over HTTP and socket.io; it may only import types from server/api-types.ts.',
      from: { path: '^renderer/' },
      to: { path: '^server/', pathNot: '^server/api-types\\.ts$' },
    },
    {
      name: 'renderer-server-types-only',
      severity: 'error',
      comment: 'The shared entry is for types: `import type`, so no server code ends up in the bundle.',
      from: { path: '^renderer/' },
      to: { path: '^server/api-types\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'server-not-into-ui-or-shell',
      severity: 'error',
      comment: 'The server never imports from the renderer or the desktop shell.',
      from: { path: '^server/' },
      to: { path: '^(renderer|electron)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] },
  },
};
