// Markdown rendering, syntax highlighting and the one HTML sanitizer behind both.
export { MarkupService, linkContext, type FileRendering, type MarkupOptions, type MarkupRepo, type TreeRendering } from './markup-service.js';
export { MarkupRenderer, DEFAULT_BUDGETS, type RenderBudgets, type Rendered, type RendererOptions } from './renderer.js';
export { isMarkdownFile, renderMarkdown, MARKDOWN_FULL_MAX_BYTES, MARKDOWN_MAX_BYTES, type RenderedMarkdown } from './markdown.js';
export { highlightFile, languageFor, countLines, HIGHLIGHT_MAX_BYTES, HIGHLIGHT_MAX_LINES, type Highlighted } from './highlight.js';
export { sanitizeHtml, sanitizeToHtml, sanitizeCode } from './sanitize.js';
export type { RepoLinkContext } from './links.js';

import type { MarkupService } from './markup-service.js';

declare module '../services.js' {
  interface Services {
    /** Rendered README and markdown files, highlighted code (sanitized HTML, cached by blob id). */
    markup: MarkupService;
  }
}
