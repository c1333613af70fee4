// /<owner>/<repo>/compare/<base>...<head>: pick a base branch and a head (a branch here, or
// `<user>:<branch>` of a fork), see the commits and the diff from their merge base, and open a
// pull request — or follow the link to the one already open for these branches. The title starts
// as the single commit's subject, or the branch name made readable.
import { Link, useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { useMemo, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import { Button, EmptyState, ErrorState, FormError, Hint, Loading, Notice, Panel, PanelHeader, RelativeTime, useTitle } from '../../components/ui';
import { AiSuggestButton } from '../ai';
import { useBranchNames } from '../code/api';
import { Person, body as messageBody, shortSha, summary } from '../history/bits';
import type { DiffStyle } from '../history/DiffFile';
import h from '../history/History.module.css';
import { useRepoContext } from '../repo/RepoLayout';
import { useCurrentUser } from '../session/api';
import { useComparison, useForks, useOpenPull } from './api';
import { BranchLabel, MarkdownBox, StyleToggle } from './bits';
import { initialCollapsed, rememberStyle, storedStyle, toFileDiff } from './diff';
import { ProgressiveDiffFile, renderedLines, useRenderedCount } from './progressive';
import type { Comparison } from './types';
import s from './Pulls.module.css';

/** `main...bob:feature` → base, head owner (null: this repository) and head branch. */
function parseBasehead(splat: string): { base: string; headOwner: string | null; headBranch: string } {
  const dots = splat.indexOf('...');
  const base = dots < 0 ? splat : splat.slice(0, dots);
  const head = dots < 0 ? '' : splat.slice(dots + 3);
  const colon = head.indexOf(':');
  return colon < 0 ? { base, headOwner: null, headBranch: head } : { base, headOwner: head.slice(0, colon), headBranch: head.slice(colon + 1) };
}

/** "fix-login_page" → "Fix login page" (GitHub's title for a branch with several commits). */
function titleFromBranch(branch: string): string {
  const words = branch.replace(/^.*\//, '').replace(/[-_]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : branch;
}

const splitNames = (v: string) =>
  v
    .split(/[\s,]+/)
    .map((x) => x.replace(/^@/, '').trim())
    .filter(Boolean);

export function ComparePage() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const { _splat = '' } = useParams({ from: '/$owner/$repo/compare/$' });
  const search = useSearch({ from: '/$owner/$repo/compare/$' });
  const navigate = useNavigate({ from: '/$owner/$repo/compare/$' });
  const parsed = parseBasehead(_splat);
  const base = parsed.base || repo.default_branch;
  const headOwner = parsed.headOwner && parsed.headOwner.toLowerCase() !== owner.toLowerCase() ? parsed.headOwner : null;
  const headBranch = parsed.headBranch;
  const headSpec = headBranch ? (headOwner ? `${headOwner}:${headBranch}` : headBranch) : '';
  const forks = useForks(owner, name);
  const headRepo = headOwner ? (forks.data?.find((f) => f.owner.login.toLowerCase() === headOwner.toLowerCase()) ?? null) : repo;
  const baseBranches = useBranchNames(owner, name, true);
  const headBranches = useBranchNames(headRepo?.owner.login ?? owner, headRepo?.name ?? name, !!headRepo);
  const cmp = useComparison(owner, name, base, headSpec);
  const style: DiffStyle = search.style ?? storedStyle();
  useTitle(`Comparing ${base}...${headSpec || '…'} · ${repo.full_name}`);

  const go = (b: string, ho: string | null, hb: string) => {
    const head = hb ? (ho && ho.toLowerCase() !== owner.toLowerCase() ? `${ho}:${hb}` : hb) : '';
    void navigate({ params: { owner, repo: name, _splat: head ? `${b}...${head}` : b }, search: (prev) => prev, replace: true });
  };
  const setStyle = (next: DiffStyle) => {
    rememberStyle(next);
    void navigate({ search: (prev) => ({ ...prev, style: next }), replace: true, resetScroll: false });
  };

  const headRepoChoices = [{ login: owner, label: repo.full_name }, ...(forks.data ?? []).map((f) => ({ login: f.owner.login, label: f.full_name }))];

  return (
    <div>
      <h2 className={s.pageTitle}>{headBranch ? 'Comparing changes' : 'Compare changes'}</h2>
      <p className="muted">Choose two branches to see what changed and to propose merging one into the other.</p>
      <Panel pad className={s.pickers}>
        <label className={s.picker}>
          <span>base</span>
          <select aria-label="Base branch" value={base} onChange={(e) => go(e.target.value, headOwner, headBranch)} data-testid="base-branch">
            {!baseBranches.data?.items.some((b) => b.name === base) && <option value={base}>{base}</option>}
            {baseBranches.data?.items.map((b) => (
              <option key={b.name} value={b.name}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
        <span className={s.arrow} aria-hidden>
          ←
        </span>
        {headRepoChoices.length > 1 && (
          <label className={s.picker}>
            <span>head repository</span>
            <select aria-label="Head repository" value={(headOwner ?? owner).toLowerCase()} onChange={(e) => go(base, e.target.value, '')}>
              {headRepoChoices.map((c) => (
                <option key={c.login} value={c.login.toLowerCase()}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className={s.picker}>
          <span>compare</span>
          <select aria-label="Head branch" value={headBranch} onChange={(e) => go(base, headOwner, e.target.value)} data-testid="head-branch">
            <option value="">choose a branch…</option>
            {headBranch && !headBranches.data?.items.some((b) => b.name === headBranch) && <option value={headBranch}>{headBranch}</option>}
            {headBranches.data?.items
              .filter((b) => headOwner || b.name !== base)
              .map((b) => (
                <option key={b.name} value={b.name}>
                  {b.name}
                </option>
              ))}
          </select>
        </label>
      </Panel>

      {!headBranch ? (
        <Panel>
          <EmptyState title="Choose a branch to compare">Pick the branch with your changes as “compare”; the base is where they should land.</EmptyState>
        </Panel>
      ) : cmp.isPending ? (
        <Loading label="Comparing…" />
      ) : cmp.isError ? (
        cmp.error instanceof ApiError && (cmp.error.status === 404 || cmp.error.status === 422) ? (
          <Notice kind="warn">{cmp.error.message}</Notice>
        ) : (
          <ErrorState error={cmp.error} retry={() => void cmp.refetch()} />
        )
      ) : (
        <CompareResult key={`${base}...${headSpec}`} c={cmp.data} base={base} headSpec={headSpec} headBranch={headBranch} style={style} setStyle={setStyle} />
      )}
    </div>
  );
}

function CompareResult({ c, base, headSpec, headBranch, style, setStyle }: { c: Comparison; base: string; headSpec: string; headBranch: string; style: DiffStyle; setStyle: (s: DiffStyle) => void }) {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const me = useCurrentUser();
  const files = useMemo(() => c.files.map(toFileDiff), [c.files]);
  const collapsed = useMemo(() => initialCollapsed(files), [files]);
  const weights = useMemo(() => files.map((f, i) => (collapsed[i] === null ? renderedLines(f) : 0)), [files, collapsed]);
  const rendered = useRenderedCount(weights);
  const nothing = c.total_commits === 0;

  return (
    <>
      {c.merge_base === null ? (
        <Notice kind="warn">
          <BranchLabel>{base}</BranchLabel> and <BranchLabel>{headSpec}</BranchLabel> have no history in common: they can't be compared or merged.
        </Notice>
      ) : c.pull_request !== null ? (
        <Notice>
          A pull request for these branches is already open:{' '}
          <Link to="/$owner/$repo/pulls/$number" params={{ owner, repo: name, number: String(c.pull_request) }} data-testid="existing-pull">
            #{c.pull_request}
          </Link>
        </Notice>
      ) : nothing ? (
        <Panel>
          <EmptyState title="There isn't anything to compare">
            <BranchLabel>{base}</BranchLabel> already has every commit of <BranchLabel>{headSpec}</BranchLabel>.
          </EmptyState>
        </Panel>
      ) : me ? (
        <OpenForm c={c} base={base} headSpec={headSpec} headBranch={headBranch} />
      ) : (
        <Notice>
          <Link to="/user/login" search={{ redirect_to: window.location.pathname }}>
            Sign in
          </Link>{' '}
          to open a pull request.
        </Notice>
      )}

      {c.commits.length > 0 && (
        <Panel className={s.section}>
          <PanelHeader>
            <strong>
              {c.total_commits} {c.total_commits === 1 ? 'commit' : 'commits'}
            </strong>
            {c.total_commits > c.commits.length && <span className="muted">(the first {c.commits.length} are listed)</span>}
          </PanelHeader>
          <ul className={h.rows} data-testid="compare-commits">
            {c.commits.map((k) => (
              <li key={k.sha} className={h.row}>
                <div className={h.rowMain}>
                  <div className={h.summary}>
                    <Link to="/$owner/$repo/commit/$sha" params={{ owner, repo: name, sha: k.sha }}>
                      {summary(k.commit.message) || '(no message)'}
                    </Link>
                  </div>
                  <div className={h.meta}>
                    <Person who={k.commit.author} user={k.author} /> <RelativeTime iso={k.commit.committer.date} />
                  </div>
                </div>
                <Link className={h.sha} to="/$owner/$repo/commit/$sha" params={{ owner, repo: name, sha: k.sha }}>
                  {shortSha(k.sha)}
                </Link>
              </li>
            ))}
          </ul>
        </Panel>
      )}

      {files.length > 0 && (
        <>
          <div className={h.toolbar}>
            <span data-testid="diff-stats">
              {c.total_files} {c.total_files === 1 ? 'file' : 'files'} changed, <span className={h.add}>+{files.reduce((n, f) => n + f.additions, 0)}</span>{' '}
              <span className={h.del}>−{files.reduce((n, f) => n + f.deletions, 0)}</span>
            </span>
            <div className={h.toolbarRight}>
              <StyleToggle style={style} setStyle={setStyle} />
            </div>
          </div>
          {c.truncated && <Notice kind="warn">This comparison is large: some files or long diffs are not shown.</Notice>}
          {files.map((f, i) => (
            <ProgressiveDiffFile
              key={`${i}:${f.filename}`}
              f={f}
              index={i}
              deferred={i >= rendered}
              style={style}
              collapsed={collapsed[i] ?? null}
              owner={owner}
              repo={name}
              sha={c.head.sha}
              parent={c.merge_base}
              rawDiff=""
            />
          ))}
        </>
      )}
    </>
  );
}

function OpenForm({ c, base, headSpec, headBranch }: { c: Comparison; base: string; headSpec: string; headBranch: string }) {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const navigate = useNavigate();
  const open = useOpenPull(owner, name);
  const single = c.total_commits === 1 ? c.commits[0] : undefined;
  const [title, setTitle] = useState(() => (single ? summary(single.commit.message) : titleFromBranch(headBranch)));
  const [text, setText] = useState(() => (single ? messageBody(single.commit.message) : ''));
  const [draft, setDraft] = useState(false);
  const [reviewers, setReviewers] = useState('');
  const [assignees, setAssignees] = useState('');
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    open.mutate(
      { head: headSpec, base, title: title.trim(), body: text, draft, reviewers: splitNames(reviewers), assignees: splitNames(assignees) },
      { onSuccess: (pr) => void navigate({ to: '/$owner/$repo/pulls/$number', params: { owner, repo: name, number: String(pr.number) } }) },
    );
  };

  return (
    <Panel pad className={s.section}>
      <form onSubmit={onSubmit} aria-label="Open a pull request" data-testid="open-pull-form">
        <h3 className={s.formTitle}>
          Open a pull request: merge <BranchLabel>{headSpec}</BranchLabel> into <BranchLabel>{base}</BranchLabel>
        </h3>
        <label htmlFor="pull-title">Title</label>
        <input id="pull-title" type="text" required maxLength={1000} value={title} onChange={(e) => setTitle(e.target.value)} data-testid="pull-title-input" />
        <label htmlFor="pull-body">Description</label>
        <MarkdownBox id="pull-body" label="Description" value={text} onChange={setText} context={`${owner}/${name}`} placeholder="What does this change, and why?" rows={7} testId="pull-body-input" />
        <AiSuggestButton
          owner={owner}
          repo={name}
          kind="pull-description"
          request={() => ({ base, head: headSpec })}
          onApply={(x) => {
            setTitle(x.subject);
            setText(x.body);
          }}
        />
        <div className={s.formRow}>
          <div>
            <label htmlFor="pull-reviewers">Reviewers</label>
            <input
              id="pull-reviewers"
              type="text"
              value={reviewers}
              onChange={(e) => setReviewers(e.target.value)}
              placeholder="usernames, separated by commas"
              autoComplete="off"
              spellCheck={false}
            />
          </div>
          <div>
            <label htmlFor="pull-assignees">Assignees</label>
            <input
              id="pull-assignees"
              type="text"
              value={assignees}
              onChange={(e) => setAssignees(e.target.value)}
              placeholder="usernames, separated by commas"
              autoComplete="off"
              spellCheck={false}
            />
          </div>
        </div>
        <Hint>Reviewers are asked to review and notified; they need read access to this repository.</Hint>
        <label className={s.check}>
          <input type="checkbox" checked={draft} onChange={(e) => setDraft(e.target.checked)} />
          <span>Open as a draft (not ready for review yet)</span>
        </label>
        <FormError error={open.error} />
        <div className={s.formActions}>
          <Button type="submit" variant="primary" busy={open.isPending} disabled={!title.trim()} data-testid="open-pull-submit">
            {draft ? 'Open draft pull request' : 'Open pull request'}
          </Button>
        </div>
      </form>
    </Panel>
  );
}
