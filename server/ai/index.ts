// The public surface of server/ai: commit messages and pull request descriptions from a local
// model (Ollama), checked against the change they describe.
export { AiService, SuggestionCancelled, type Prepared, type Suggestion, type SuggestOptions } from './service.js';
export { boundDiff, DEFAULT_DIFF_BUDGET, type DiffBudget, type DiffExcerpt } from './diff-budget.js';
export { verifyMessage, extractClaims, type Claim, type ClaimKind, type Evidence, type Verified } from './verify.js';

import type { AiService } from './service.js';

declare module '../services.js' {
  interface Services {
    ai: AiService;
  }
}
