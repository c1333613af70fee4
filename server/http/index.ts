// The public surface of server/http for features and the other transports: who a caller is,
// the API router features add their routes to, and the JSON helpers they answer with.
export { actorFromCredentials, parseAuthorization, requireAdmin, requireUser, webActor } from './auth.js';
export { SESSION_COOKIE } from './cookie.js';
export { ApiRouter, pageQuery, parseOrThrow, setPageHeaders, type HandlerContext, type Reply, type RouteSpec } from './api/route.js';
export { baseUrl, repoJson, userJson } from './api/json.js';
export { renderRepo, resolveForApi } from './api/repos.js';
export { clientSignal, pipeGit, repoTarget } from './api/git-http-util.js';
export { commitDiffJson, commitJson, contentsJson, gitJsonContext, type GitJsonContext } from './api/git-json.js';
export { startPlainText } from './api/raw-response.js';
export { JsonBodyCache } from './api/json-cache.js';
