// The one server file the renderer may import, and only with `import type`: the shapes both
// sides share, re-exported as types so no server code can end up in the browser bundle. Keep
// what it reaches free of Node-only imports (the renderer's compiler checks those files too).
export type { Scope, ScopeCategory } from './access/scopes.js';
