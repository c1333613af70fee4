// The render worker: markdown and highlighting run here, off the server's event loop, each
// through the same sanitizer as before (it is pure, so it runs here too). The pool in
// renderer.ts starts it, gives each task a time budget and terminates it when it overruns.
import { highlightFile } from './highlight.js';
import { renderWithMarkdownIt, renderWithUnified } from './markdown.js';
import { MARKDOWN_IT_NOTE, type HighlightTask, type MarkdownTask } from './render-tasks.js';
import { serveTasks } from './worker-pool.js';

serveTasks({
  /** The full pipeline, or markdown-it for what it can't take; null when even markdown-it fails. */
  markdown: ({ text, links, mentions }: MarkdownTask, note) => {
    const full = renderWithUnified(text, { links, mentions });
    if (full) return full.html;
    note(MARKDOWN_IT_NOTE); // the pool's caller won't retry markdown-it if this one runs out of time
    return renderWithMarkdownIt(text, { links, mentions })?.html ?? null;
  },
  'markdown-it': ({ text, links, mentions }: MarkdownTask) => renderWithMarkdownIt(text, { links, mentions })?.html ?? null,
  highlight: ({ text, language }: HighlightTask) => highlightFile(text, language),
});
