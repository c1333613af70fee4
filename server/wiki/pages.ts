// Page names, titles and file names, as Gitea maps them: a page is the file `<name>.md` at the
// root of the wiki repository; spaces in a title become `-` in the name ("Getting Started" is
// `Getting-Started.md`); a title that has a `-` of its own keeps its spaces and gets Gitea's
// `.-` marker instead ("2026-01-02 meeting" is `2026-01-02 meeting.-.md`), so it reads back as
// written. `_Sidebar.md` and `_Footer.md` are shown around every page and are not listed.
import { windowsNameProblem, wikiPageNameProblem } from '../lib/names.js';
import { Invalid } from '../lib/errors.js';

export const HOME = 'Home';
export const SIDEBAR = '_Sidebar';
export const FOOTER = '_Footer';
const DASH_MARKER = '.-';

/** The page name (file name without `.md`) for a title. */
export function nameOfTitle(title: string): string {
  const t = title.trim();
  return t.includes('-') ? `${t}${DASH_MARKER}` : t.replace(/ /g, '-');
}

/** The title people read for a page name. */
export function titleOfName(name: string): string {
  return name.endsWith(DASH_MARKER) ? name.slice(0, -DASH_MARKER.length) : name.replace(/-/g, ' ');
}

/** The page file of a `.md` tree entry at the wiki root, or null for anything else (never a page). */
export function nameOfFile(file: string): string | null {
  if (!/\.md$/i.test(file) || file.length <= 3 || file.includes('/')) return null;
  return file.slice(0, -3);
}

export function fileOfName(name: string): string {
  return `${name}.md`;
}

/**
 * The page a name from a URL or the API means: a page name (`Getting-Started`), a title
 * (`Getting Started`) or a file name (`Getting-Started.md`) all reach the same file, as in
 * Gitea. Throws Invalid (422) for a name that could never be a page.
 */
export function pageNameFrom(raw: string): string {
  const name = raw.endsWith('.md') ? raw.slice(0, -3) : nameOfTitle(titleOfName(raw));
  assertPageName(titleOfName(name), name);
  return name;
}

/** Checks a new page's title and the name it maps to; throws Invalid with the reason. */
export function assertPageName(title: string, name = nameOfTitle(title)): void {
  const problem = wikiPageNameProblem(title) ?? wikiPageNameProblem(name) ?? windowsNameProblem(fileOfName(name));
  if (problem) throw Invalid(`page name ${problem}`);
  if (/\.md$/i.test(title)) throw Invalid('page name may not end in .md (the page file gets that suffix)');
}

/** Home first, the rest by title (case-insensitive), then by name so the order is total. */
export function comparePages(a: { name: string; title: string }, b: { name: string; title: string }): number {
  if (a.name === HOME || b.name === HOME) return a.name === HOME ? (b.name === HOME ? 0 : -1) : 1;
  const t = a.title.localeCompare(b.title, 'en', { sensitivity: 'base' });
  return t !== 0 ? t : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
