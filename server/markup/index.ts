// Markdown rendering, syntax highlighting and the one HTML sanitizer behind both. The markup
// libraries (markdown.ts, highlight.ts, sanitize.ts) load only in the render workers; the main
// thread gets the service, the renderer that hands work to the workers, and the light helpers.
export { MarkupService, linkContext, type FileRendering, type MarkupOptions, type MarkupRepo, type TreeRendering } from './markup-service.js';
export { MarkupRenderer, DEFAULT_BUDGETS, type RenderBudgets, type Rendered, type RendererOptions } from './renderer.js';
export { countLines, HIGHLIGHT_MAX_BYTES, HIGHLIGHT_MAX_LINES, isMarkdownFile, languageFor, MARKDOWN_FULL_MAX_BYTES, MARKDOWN_MAX_BYTES, preformatted, type Highlighted } from './files.js';
export type { RepoLinkContext } from './links.js';
export { ISSUE_REF_SOURCE, MENTION_SOURCE, USER_NAME } from './refs.js';

import type { MarkupService } from './markup-service.js';

declare module '../services.js' {
  interface Services {
    /** Rendered README and markdown files, highlighted code (sanitized HTML, cached by blob id). */
    markup: MarkupService;
  }
}
