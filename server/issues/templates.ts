// Issue templates: markdown files in `.gitea/ISSUE_TEMPLATE/` or `.github/ISSUE_TEMPLATE/` on the
// default branch, with Gitea's and GitHub's front matter (`name`, `about`, `title`, `labels`,
// `assignees`, `ref`). Gitea's IssueTemplate shape. The front matter is the flat `key: value`
// subset both forges document; YAML issue forms are not read.
import { repoTarget } from '../http/index.js';
import { AppError } from '../lib/errors.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';

const DIRS = ['.gitea/ISSUE_TEMPLATE', '.gitea/issue_template', '.github/ISSUE_TEMPLATE', '.github/issue_template'];
const MAX_TEMPLATE_BYTES = 64 * 1024;

export interface IssueTemplate {
  name: string;
  title: string;
  about: string;
  labels: string[];
  assignees: string[];
  ref: string;
  content: string;
  file_name: string;
}

/** `key: value` lines; values may be quoted, and lists written `[a, b]` or `a, b`. */
export function parseTemplate(fileName: string, text: string): IssueTemplate {
  const m = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  const meta = new Map<string, string>();
  let listKey: string | null = null;
  const lists = new Map<string, string[]>();
  for (const line of m ? m[1]!.split(/\r?\n/) : []) {
    const item = /^\s+-\s+(.*)$/.exec(line);
    if (item && listKey) {
      lists.set(listKey, [...(lists.get(listKey) ?? []), unquote(item[1]!)]);
      continue;
    }
    const kv = /^([A-Za-z_]+):\s*(.*)$/.exec(line);
    if (!kv) continue;
    listKey = kv[2] ? null : kv[1]!.toLowerCase();
    meta.set(kv[1]!.toLowerCase(), kv[2]!.trim());
  }
  const list = (key: string) => {
    if (lists.has(key)) return lists.get(key)!.filter(Boolean);
    const raw = meta.get(key) ?? '';
    return raw
      .replace(/^\[|\]$/g, '')
      .split(',')
      .map((x) => unquote(x.trim()))
      .filter(Boolean);
  };
  const name = unquote(meta.get('name') ?? '') || fileName.replace(/\.md$/i, '');
  return {
    name,
    title: unquote(meta.get('title') ?? ''),
    about: unquote(meta.get('about') ?? ''),
    labels: list('labels'),
    assignees: list('assignees'),
    ref: unquote(meta.get('ref') ?? ''),
    content: m ? text.slice(m[0].length) : text,
    file_name: fileName,
  };
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")))) return t.slice(1, -1);
  return t;
}

/** The templates of the first template folder that exists, sorted by file name. */
export async function issueTemplates(s: Services, rec: RepoRecord): Promise<IssueTemplate[]> {
  const target = repoTarget(s, rec);
  for (const dir of DIRS) {
    let listing;
    try {
      listing = (await s.browse.contents(target, rec.repo.default_branch, dir, { maxBytes: 0, budgetMs: 0 })).listing;
    } catch (e) {
      // no such folder (or an empty repository): try the next spelling
      if (e instanceof AppError && e.code === 'not_found') continue;
      throw e;
    }
    if (!listing) continue;
    const out: IssueTemplate[] = [];
    for (const entry of listing.entries) {
      if (entry.type !== 'file' || !/\.md$/i.test(entry.name) || /^config\./i.test(entry.name)) continue;
      const { blob } = await s.browse.raw(target, rec.repo.default_branch, `${dir}/${entry.name}`, MAX_TEMPLATE_BYTES);
      if (!blob.content || blob.binary) continue;
      out.push(parseTemplate(entry.name, blob.content.toString('utf8')));
    }
    return out.sort((a, b) => a.file_name.localeCompare(b.file_name));
  }
  return [];
}
