import { describe, expect, it } from 'vitest';
import { comparePages, nameOfFile, nameOfTitle, pageNameFrom, titleOfName } from './pages.js';

describe('wiki page names', () => {
  it.each([
    ['Home', 'Home'],
    ['Getting Started', 'Getting-Started'],
    ['2026-01-02 meeting', '2026-01-02 meeting.-'],
    ['_Sidebar', '_Sidebar'],
  ])('maps the title %j to the page %j and back', (title, name) => {
    expect(nameOfTitle(title)).toBe(name);
    expect(titleOfName(name)).toBe(title);
  });

  it('reaches one page from its title, its name and its file name', () => {
    for (const raw of ['Getting Started', 'Getting-Started', 'Getting-Started.md']) expect(pageNameFrom(raw)).toBe('Getting-Started');
  });

  it.each(['../x', 'a/b', '.hidden', 'CON', 'nul.md', '', '_new'])('refuses %j as a page name', (raw) => {
    expect(() => pageNameFrom(raw)).toThrow(/page name/);
  });

  it('takes only markdown files at the root for pages', () => {
    expect(nameOfFile('Setup.md')).toBe('Setup');
    expect(nameOfFile('evil.html')).toBeNull();
    expect(nameOfFile('dir/Page.md')).toBeNull();
    expect(nameOfFile('.md')).toBeNull();
  });

  it('orders Home first, then by title whatever the case', () => {
    const pages = ['zeta', 'Alpha', 'Home', 'beta'].map((name) => ({ name, title: titleOfName(name) }));
    expect(pages.sort(comparePages).map((p) => p.name)).toEqual(['Home', 'Alpha', 'beta', 'zeta']);
  });
});
