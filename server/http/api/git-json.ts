// JSON shapes for repository contents and history: Gitea's Branch, Tag, Commit and
// ContentsResponse field for field, plus Gitssy's tree view and commit diff for the UI.
// Commit authors are linked to accounts by (activated) email address, as Gitea does.
import type { Request } from 'express';
import type { BranchInfo, TagInfo } from '../../branches/index.js';
import type { PathContents, RepoTarget, TreeView } from '../../git/browse-service.js';
import type { Blob } from '../../git/blob.js';
import type { RawChange } from '../../git/diff-parse.js';
import type { CommitDiff } from '../../git/diff.js';
import { signatureDate, summary, type Commit, type Signature } from '../../git/objects.js';
import type { ResolvedRef } from '../../git/refs.js';
import type { GitTreeRow, TreeEntry } from '../../git/tree.js';
import type { UserRow } from '../../db/schema.js';
import type { TreeRendering } from '../../markup/index.js';
import type { Services } from '../../services.js';
import { baseUrl, userJson } from './json.js';

/** Everything a shape needs to build URLs and link authors. */
export interface GitJsonContext {
  s: Services;
  req: Request;
  repo: RepoTarget;
  /** Lower-cased email → account. */
  users: Map<string, UserRow>;
}

export async function gitJsonContext(s: Services, req: Request, repo: RepoTarget, signatures: Signature[] = []): Promise<GitJsonContext> {
  const emails = [...new Set(signatures.map((sig) => sig.email.toLowerCase()).filter(Boolean))];
  const users = new Map<string, UserRow>();
  for (let i = 0; i < emails.length; i += 500) {
    const rows = await s.db
      .selectFrom('emails as e')
      .innerJoin('users as u', 'u.id', 'e.user_id')
      .selectAll('u')
      .select('e.lower_email')
      .where('e.lower_email', 'in', emails.slice(i, i + 500))
      .where('e.is_activated', '=', 1)
      .execute();
    for (const { lower_email, ...u } of rows) users.set(lower_email, u);
  }
  return { s, req, repo, users };
}

const enc = (path: string) => path.split('/').map(encodeURIComponent).join('/');

function urls(c: GitJsonContext) {
  const base = baseUrl(c.s, c.req);
  const full = `${encodeURIComponent(c.repo.owner)}/${encodeURIComponent(c.repo.name)}`;
  return { base, api: `${base}/api/v1/repos/${full}`, html: `${base}/${full}` };
}

function commitUser(sig: Signature) {
  return { name: sig.name, email: sig.email, date: signatureDate(sig) };
}

function linkedUser(c: GitJsonContext, sig: Signature) {
  const u = c.users.get(sig.email.toLowerCase());
  return u ? userJson(c.s, c.req, u) : null;
}

/** Gitea's Commit, with `files` and `stats` when the changes are given. */
export function commitJson(c: GitJsonContext, commit: Commit, changes?: RawChange[] | null) {
  const { api, html } = urls(c);
  const created = signatureDate(commit.committer);
  return {
    url: `${api}/git/commits/${commit.sha}`,
    sha: commit.sha,
    created,
    html_url: `${html}/commit/${commit.sha}`,
    commit: {
      url: `${api}/git/commits/${commit.sha}`,
      author: commitUser(commit.author),
      committer: commitUser(commit.committer),
      message: commit.message,
      tree: { url: `${api}/git/trees/${commit.tree}`, sha: commit.tree, created },
      verification: { verified: false, reason: 'gpg.error.not_signed_commit', signature: '', signer: null, payload: '' },
    },
    author: linkedUser(c, commit.author),
    committer: linkedUser(c, commit.committer),
    parents: commit.parents.map((p) => ({ url: `${api}/git/commits/${p}`, sha: p, created })),
    files: changes ? changes.map((f) => ({ filename: f.path, status: f.status })) : null,
    stats: changes ? statsJson(changes) : null,
  };
}

function statsJson(changes: { additions: number; deletions: number }[]) {
  const additions = changes.reduce((n, f) => n + f.additions, 0);
  const deletions = changes.reduce((n, f) => n + f.deletions, 0);
  return { total: additions + deletions, additions, deletions };
}

/** Gitea's PayloadCommit, as branches carry it. */
function payloadCommitJson(c: GitJsonContext, commit: Commit) {
  const { html } = urls(c);
  const who = (sig: Signature) => ({ name: sig.name, email: sig.email, username: c.users.get(sig.email.toLowerCase())?.name ?? '' });
  return {
    id: commit.sha,
    message: commit.message,
    url: `${html}/commit/${commit.sha}`,
    author: who(commit.author),
    committer: who(commit.committer),
    verification: null,
    timestamp: signatureDate(commit.committer),
    added: null,
    removed: null,
    modified: null,
  };
}

export function branchJson(c: GitJsonContext, b: BranchInfo, canWrite: boolean) {
  return {
    name: b.name,
    commit: payloadCommitJson(c, b.commit),
    protected: b.protection !== null,
    required_approvals: 0,
    enable_status_check: false,
    status_check_contexts: [],
    user_can_push: canWrite,
    user_can_merge: canWrite,
    effective_branch_protection_name: b.protection?.rule_name ?? '',
  };
}

export function tagJson(c: GitJsonContext, t: TagInfo) {
  const { api } = urls(c);
  const sha = t.commit?.sha ?? '';
  return {
    name: t.name,
    message: t.tag?.message ?? t.commit?.message ?? '',
    id: t.id,
    commit: t.commit ? { url: `${api}/git/commits/${sha}`, sha, created: signatureDate(t.commit.committer) } : null,
    zipball_url: `${api}/archive/${enc(t.name)}.zip`,
    tarball_url: `${api}/archive/${enc(t.name)}.tar.gz`,
  };
}

/** Gitea's ContentsResponse for one entry; `content` only for files within the cap. */
export function contentsJson(c: GitJsonContext, ref: ResolvedRef, e: TreeEntry, extra: { lastCommit: string | null; content?: Buffer | null; lfs?: { oid: string; size: number } | null }) {
  const { api, html } = urls(c);
  const q = `?ref=${encodeURIComponent(ref.name)}`;
  const self = `${api}/contents/${enc(e.path)}${q}`;
  const git = `${api}/git/${e.type === 'dir' ? 'trees' : 'blobs'}/${e.sha}`;
  const htmlUrl = `${html}/src/${ref.kind}/${enc(ref.name)}/${enc(e.path)}`; // Gitea's /src/branch|tag|commit/…
  const isFile = e.type === 'file';
  return {
    name: e.name,
    path: e.path,
    sha: e.sha,
    last_commit_sha: extra.lastCommit,
    type: e.type,
    size: e.size ?? 0,
    encoding: isFile && extra.content ? 'base64' : null,
    content: isFile && extra.content ? extra.content.toString('base64') : null,
    target: e.type === 'symlink' ? e.target : null,
    url: self,
    html_url: htmlUrl,
    git_url: e.type === 'submodule' ? null : git,
    download_url: isFile || e.type === 'symlink' ? `${api}/raw/${enc(e.path)}${q}` : null,
    submodule_git_url: null,
    ...(extra.lfs ? { lfs_oid: extra.lfs.oid, lfs_size: extra.lfs.size } : {}),
    _links: { self, git: e.type === 'submodule' ? null : git, html: htmlUrl },
  };
}

export function contentsResultJson(c: GitJsonContext, r: PathContents) {
  if (r.listing) return r.listing.entries.map((e) => contentsJson(c, r.ref, e, { lastCommit: r.listing!.lastCommits.get(e.name) ?? null }));
  return contentsJson(c, r.ref, r.entry, { lastCommit: r.lastCommit, content: r.blob?.content ?? null, lfs: r.blob?.lfs ?? null });
}

/** A commit as a tree row shows it. */
function commitBrief(c: GitJsonContext, commit: Commit | null) {
  if (!commit) return null;
  const { html } = urls(c);
  return { sha: commit.sha, summary: summary(commit.message), author: commitUser(commit.author), committer: commitUser(commit.committer), html_url: `${html}/commit/${commit.sha}` };
}

function entryJson(e: TreeEntry) {
  return { name: e.name, path: e.path, type: e.type, mode: e.mode, sha: e.sha, size: e.size, target: e.target };
}

/**
 * Gitssy's tree view: the entry, its rows with last commits, and what is still pending; with the
 * renderings, the README's sanitized HTML (`readme.html`) and a file's highlighted source and
 * markdown rendering (`file.highlighted_html`, `file.rendered_html`), the only HTML the UI inserts.
 */
export function treeViewJson(c: GitJsonContext, v: TreeView, r: TreeRendering = { readmeHtml: null, file: null }) {
  const text = v.blob && v.blob.content && !v.blob.binary ? v.blob.content.toString('utf8') : null;
  const f = r.file;
  return {
    ref: { name: v.ref.name, kind: v.ref.kind, commit: v.ref.commit },
    path: v.entry.path,
    type: v.entry.type,
    entry: entryJson(v.entry),
    last_commit: commitBrief(c, v.lastCommit),
    entries: v.entries ? v.entries.map((e) => ({ ...entryJson(e), last_commit: commitBrief(c, e.lastCommit) })) : null,
    pending: v.pending,
    total: v.total,
    truncated: v.truncated,
    readme: v.readme ? { ...entryJson(v.readme), html: r.readmeHtml } : null,
    file: v.blob
      ? {
          size: v.blob.size,
          binary: v.blob.binary,
          lfs: v.blob.lfs,
          too_large: v.blob.content === null,
          content: text,
          line_count: f?.lineCount ?? null,
          language: f?.language ?? null,
          highlighted_html: f?.highlightedHtml ?? null,
          rendered_html: f?.renderedHtml ?? null,
        }
      : null,
  };
}

/** Gitssy's commit diff: the commit, then each file with counts and its (capped) patch. */
export function commitDiffJson(c: GitJsonContext, commit: Commit, d: CommitDiff) {
  return {
    commit: commitJson(c, commit),
    files: d.files.map((f) => ({
      filename: f.path,
      previous_filename: f.oldPath !== f.path ? f.oldPath : null,
      status: f.status,
      similarity: f.similarity,
      additions: f.additions,
      deletions: f.deletions,
      changes: f.additions + f.deletions,
      binary: f.binary,
      old_mode: f.oldMode,
      new_mode: f.newMode,
      sha: f.newSha,
      previous_sha: f.oldSha,
      patch: f.patch,
      patch_truncated: f.patchTruncated,
    })),
    total_files: d.totalFiles,
    stats: { total: d.additions + d.deletions, additions: d.additions, deletions: d.deletions },
    truncated: d.truncated,
  };
}

/** Gitea's GitBlobResponse. */
export function gitBlobJson(c: GitJsonContext, b: Blob) {
  return { content: b.content!.toString('base64'), encoding: 'base64', url: `${urls(c).api}/git/blobs/${b.sha}`, sha: b.sha, size: b.size };
}

/** Gitea's GitTreeResponse. */
export function gitTreeJson(c: GitJsonContext, t: { sha: string; rows: GitTreeRow[]; total: number }, page: number, perPage: number) {
  const { api } = urls(c);
  return {
    sha: t.sha,
    url: `${api}/git/trees/${t.sha}`,
    tree: t.rows.map((r) => ({
      path: r.path,
      mode: r.mode,
      type: r.type,
      size: r.size ?? 0,
      sha: r.sha,
      url: r.type === 'commit' ? '' : `${api}/git/${r.type === 'tree' ? 'trees' : 'blobs'}/${r.sha}`,
    })),
    truncated: t.total > page * perPage,
    page,
    total_count: t.total,
  };
}
