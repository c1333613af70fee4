// What the render pool asks of its workers: the tasks' names and shapes, shared by the caller
// (renderer.ts, main thread) and the worker (render-worker.ts) without either importing the other.
import type { RepoLinkContext } from './links.js';

export interface MarkdownTask {
  text: string;
  links: RepoLinkContext | null;
  mentions?: boolean;
}

export interface HighlightTask {
  text: string;
  language: string;
}

/** The note a markdown task sends before it hands the document to markdown-it. */
export const MARKDOWN_IT_NOTE = 'markdown-it';
