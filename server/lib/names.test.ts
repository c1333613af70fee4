import { describe, expect, it } from 'vitest';
import { branchNameProblem, newBranchNameProblem, ownerNameProblem, repoNameProblem, wikiPageNameProblem, windowsNameProblem, windowsPathProblem } from './names.js';

describe('names', () => {
  it.each(['pub', 'My.Project', 'a_b-c', '_private', 'x'.repeat(100), 'v1.0'])('accepts repository name %j', (n) => {
    expect(repoNameProblem(n)).toBeNull();
  });

  it.each(['', '-x', '.x', 'x.git', 'X.GIT', 'x.wiki', 'a/b', 'a b', '..', 'api', 'x'.repeat(101), 'a\0b', 'é'])('refuses repository name %j', (n) => {
    expect(repoNameProblem(n)).not.toBeNull();
  });

  it.each(['alice', 'a.b', 'a-b_c', 'A1'])('accepts user name %j', (n) => expect(ownerNameProblem(n)).toBeNull());
  it.each(['-a', 'a-', 'a..b', 'api', 'admin', 'explore', 'a'.repeat(41), 'a b', ''])('refuses user name %j', (n) => expect(ownerNameProblem(n)).not.toBeNull());

  it.each(['main', 'feature/x', 'release-1.0'])('accepts branch %j', (b) => expect(branchNameProblem(b)).toBeNull());
  it.each(['-x', 'a..b', 'a b', 'x.lock', 'a/', '/a', 'a//b', 'a@{1}', 'a~1', 'a^', 'a:b', '@', ''])('refuses branch %j', (b) => expect(branchNameProblem(b)).not.toBeNull());
});

describe('names Windows can store', () => {
  // a backup made on Linux must restore on Windows, where the desktop app runs
  it.each([
    ['CON.', '"CON." is reserved on Windows (device name CON)'],
    ['con', '"con" is reserved on Windows (device name CON)'],
    ['Aux.git', '"Aux.git" is reserved on Windows (device name AUX)'],
    ['con.txt', '"con.txt" is reserved on Windows (device name CON)'],
    ['NUL.tar.gz', '"NUL.tar.gz" is reserved on Windows (device name NUL)'],
    ['prn', '"prn" is reserved on Windows (device name PRN)'],
    ['com0', '"com0" is reserved on Windows (device name COM0)'],
    ['COM9.x', '"COM9.x" is reserved on Windows (device name COM9)'],
    ['lpt1', '"lpt1" is reserved on Windows (device name LPT1)'],
    ['Lpt9.md', '"Lpt9.md" is reserved on Windows (device name LPT9)'],
    ['project.', '"project." may not end with a dot or a space (Windows drops them from file names)'],
    ['a:b', `"a:b" may not contain ':' (Windows forbids it in file names)`],
    ['a|b', `"a|b" may not contain '|' (Windows forbids it in file names)`],
    ['a\u0001b', '"a\\u0001b" may not contain control characters (Windows forbids them in file names)'],
  ])('refuses repository name %j', (name, message) => {
    expect(repoNameProblem(name)).toBe(message);
  });

  it.each(['console', 'auxiliary', 'com10', 'lpt', 'nul-x', 'con_', 'xcon', 'COM', 'conin', 'My.Project'])('accepts repository name %j (not a device name)', (n) => {
    expect(repoNameProblem(n)).toBeNull();
  });

  it.each(['con', 'CON', 'aux.x', 'nul', 'com1', 'lpt9.a'])('refuses user name %j as a Windows device name', (n) => {
    expect(ownerNameProblem(n)).toMatch(/is reserved on Windows \(device name (CON|AUX|NUL|COM1|LPT9)\)$/);
  });

  it('names the character Windows forbids in an owner name', () => {
    expect(ownerNameProblem('a:b')).toBe(`"a:b" may not contain ':' (Windows forbids it in file names)`);
    expect(ownerNameProblem('a?b')).toBe(`"a?b" may not contain '?' (Windows forbids it in file names)`);
  });

  it.each(['<', '>', ':', '"', '\\', '|', '?', '*', '\0', '\x1f'])('windowsNameProblem refuses %j in a name', (c) => {
    expect(windowsNameProblem(`a${c}b`)).toMatch(/may not contain/);
  });

  it.each(['a.', 'a ', 'a. ', 'CON', 'con.txt', 'Con .txt', 'AUX.git', 'COM¹', 'conout$'])('windowsNameProblem refuses %j', (n) => {
    expect(windowsNameProblem(n)).not.toBeNull();
  });

  it.each(['a', '.a', 'a.b', ' a', 'CONSOLE', 'COM10', 'LPT', 'a b', 'ünïcode'])('windowsNameProblem accepts %j', (n) => {
    expect(windowsNameProblem(n)).toBeNull();
  });

  it('checks every part of a path, naming the part', () => {
    expect(windowsPathProblem('refs/heads/feature/con')).toBe('"refs/heads/feature/con": "con" is reserved on Windows (device name CON)');
    expect(windowsPathProblem('con')).toBe('"con" is reserved on Windows (device name CON)');
    expect(windowsPathProblem('a./b')).toBe('"a./b": "a." may not end with a dot or a space (Windows drops them from file names)');
    expect(windowsPathProblem('feature/x')).toBeNull();
  });

  it.each(['main', 'feature/x', 'release-1.0', 'console', 'feature/con-x', 'v1.0/com10'])('accepts new branch %j', (b) => {
    expect(newBranchNameProblem(b)).toBeNull();
  });

  it.each([
    ['con', '"con" is reserved on Windows (device name CON)'],
    ['feature/aux', '"feature/aux": "aux" is reserved on Windows (device name AUX)'],
    ['Nul.txt/x', '"Nul.txt/x": "Nul.txt" is reserved on Windows (device name NUL)'],
    ['a./b', '"a./b": "a." may not end with a dot or a space (Windows drops them from file names)'],
    ['a<b', `"a<b" may not contain '<' (Windows forbids it in file names)`],
    ['x/a"b', `"x/a\\"b": "a\\"b" may not contain '"' (Windows forbids it in file names)`],
    ['a|b', `"a|b" may not contain '|' (Windows forbids it in file names)`],
    ['a:b', 'is not a valid git branch name'],
    ['-x', "may not start with '-' or '/', or end with '/', '.' or '.lock'"],
    ['a/.b', 'is not a valid git branch name'],
    ['a/-b', "may not have components starting with '-' or '.'"],
    ['HEAD', 'is reserved'],
    ['refs/heads/x', 'is reserved'],
  ])('refuses new branch %j', (b, message) => {
    expect(newBranchNameProblem(b)).toBe(message);
  });

  it('holds existing branches only to git rules, so old ones stay readable', () => {
    expect(branchNameProblem('con')).toBeNull();
    expect(branchNameProblem('feature/aux.txt')).toBeNull();
  });

  it.each(['Home', 'Getting Started', 'Release notes 1.0', 'CONSOLE', '_Sidebar', 'a..b', '2026-01-02 meeting'])('accepts wiki page %j', (p) => {
    expect(wikiPageNameProblem(p)).toBeNull();
  });

  it.each([
    ['', 'must be 1-200 characters'],
    ['  ', 'must be 1-200 characters'],
    ['x'.repeat(201), 'must be 1-200 characters'],
    [' Home', 'may not start or end with a space'],
    ['a/b', "may not contain '/' (wiki pages are one flat folder)"],
    ['../x', "may not contain '/' (wiki pages are one flat folder)"],
    ['/x', "may not contain '/' (wiki pages are one flat folder)"],
    ['..', "may not start with '.'"],
    ['.hidden', "may not start with '.'"],
    ['_pages', '"_pages" is reserved for the wiki\'s own pages'],
    ['_New', '"_New" is reserved for the wiki\'s own pages'],
    ['CON', '"CON" is reserved on Windows (device name CON)'],
    ['nul.txt', '"nul.txt" is reserved on Windows (device name NUL)'],
    ['Notes.', '"Notes." may not end with a dot or a space (Windows drops them from file names)'],
    ['What?', `"What?" may not contain '?' (Windows forbids it in file names)`],
    ['A: B', `"A: B" may not contain ':' (Windows forbids it in file names)`],
  ])('refuses wiki page %j', (p, message) => {
    expect(wikiPageNameProblem(p)).toBe(message);
  });
});
