// /<owner>/<repo>/issues: the repository's issues, open ones first by default. Above the list:
// the search box (free text through the server's full-text index), Labels and Milestones, and
// "New issue"; pinned issues sit on top as cards. The list's header toggles Open/Closed (with
// counts for the current filters) and holds the filters — author, label, milestone, assignee,
// "mentioning me" — and the sort, all kept in the URL. Rows: state, title, labels,
// confidential, number, author, milestone, assignees, comment count. Live over `issue.updated`.
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useEffect, useState, type FormEvent } from 'react';
import { Avatar, EmptyState, ErrorState, Loading, Pager, Panel, RelativeTime, buttonClass, cx, useTitle } from '../../components/ui';
import { CommentIcon, UserName } from '../pulls/bits';
import { useRepoContext } from '../repo/RepoLayout';
import { useCurrentUser } from '../session/api';
import { ISSUES_PER_PAGE, useAssignable, useIssueCount, useIssues, useIssuesLive, useUsableLabels, useMilestones, usePinnedIssues } from './api';
import { ConfidentialBadge, IssueIcon, LabelChip, PinIcon } from './bits';
import { FilterMenu, type FilterChoice } from './FilterMenu';
import type { Issue, IssueFilters, IssueSort } from './types';
import s from './Issues.module.css';

const SORT_LABEL: Record<IssueSort, string> = { newest: 'Newest', oldest: 'Oldest', recentupdate: 'Recently updated', mostcomment: 'Most commented' };

export function IssuesPage() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const filters = useSearch({ from: '/$owner/$repo/issues' });
  const navigate = useNavigate({ from: '/$owner/$repo/issues' });
  const me = useCurrentUser();
  const page = filters.page ?? 1;
  const q = useIssues(owner, name, filters);
  // the toggle counts what the current filters match in each state
  const openCount = useIssueCount(owner, name, { ...filters, state: undefined, page: undefined });
  const closedCount = useIssueCount(owner, name, { ...filters, state: 'closed', page: undefined });
  const pinned = usePinnedIssues(owner, name);
  const labels = useUsableLabels(owner, name);
  const milestones = useMilestones(owner, name, 'all');
  const people = useAssignable(owner, name, !!me);
  useIssuesLive(owner, name, null);
  useTitle(`Issues · ${repo.full_name}`);

  // a change of filter starts again from page 1
  const set = (patch: Partial<IssueFilters>) => void navigate({ search: (prev) => ({ ...prev, ...patch, page: undefined }) });
  const filtered = !!(filters.labels || filters.milestone || filters.assignee || filters.author || filters.mentioned || filters.q);
  const state = filters.state ?? 'open';
  const total = q.data?.total ?? null;
  const hasNext = total !== null ? page * ISSUES_PER_PAGE < total : (q.data?.items.length ?? 0) === ISSUES_PER_PAGE;
  const pins = (pinned.data ?? []).filter((i) => !i.pull_request);

  const personChoices: FilterChoice[] = [
    ...(me ? [{ value: me.login, text: me.login, label: <PersonChoice login={me.login} note="you" /> }] : []),
    ...(repo.owner.login !== me?.login && repo.owner.type !== 'Organization' ? [{ value: repo.owner.login, text: repo.owner.login, label: <PersonChoice login={repo.owner.login} /> }] : []),
    ...(people.data ?? []).filter((u) => u.login !== me?.login).map((u) => ({ value: u.login, text: u.login, label: <PersonChoice login={u.login} /> })),
  ];
  const labelChoices: FilterChoice[] = (labels.data ?? []).map((l) => ({ value: l.name, text: l.name, label: <LabelChip label={l} small /> }));
  const milestoneChoices: FilterChoice[] = (milestones.data ?? []).map((m) => ({ value: m.title, text: m.title, label: <span>{m.title}</span> }));
  const chosenLabels = filters.labels ? filters.labels.split(',').filter(Boolean) : [];

  return (
    <div>
      <div className={s.listTop}>
        <SearchBox value={filters.q ?? ''} onSearch={(text) => set({ q: text || undefined })} />
        <div className={s.listTopRight}>
          <Link className={buttonClass('default', true)} to="/$owner/$repo/labels" params={{ owner, repo: name }} data-testid="labels-link">
            Labels
          </Link>
          <Link className={buttonClass('default', true)} to="/$owner/$repo/milestones" params={{ owner, repo: name }} data-testid="milestones-link">
            Milestones
          </Link>
          {me && (
            <Link className={buttonClass('primary', true)} to="/$owner/$repo/issues/new" params={{ owner, repo: name }} data-testid="new-issue">
              New issue
            </Link>
          )}
        </div>
      </div>

      {filtered && (
        <div className={s.filterNote}>
          <Link to="/$owner/$repo/issues" params={{ owner, repo: name }} search={filters.state ? { state: filters.state } : {}} data-testid="clear-filters">
            × Clear current search query, filters, and sorts
          </Link>
        </div>
      )}

      {pins.length > 0 && page === 1 && !filtered && (
        <ul className={s.pins} aria-label="Pinned issues" data-testid="pinned-issues">
          {pins.map((i) => (
            <li key={i.id} className={s.pin}>
              <div className={s.pinHead}>
                <span className={cx(s.rowIcon, i.state === 'open' ? s.iconOpen : s.iconClosed)}>
                  <IssueIcon closed={i.state === 'closed'} />
                </span>
                <Link to="/$owner/$repo/issues/$number" params={{ owner, repo: name, number: String(i.number) }} className={s.pinTitle}>
                  {i.title || '(no title)'}
                </Link>
                <span className={s.pinMark} title="Pinned">
                  <PinIcon />
                </span>
              </div>
              <div className={s.rowMeta}>
                #{i.number} opened by {i.user?.login ?? 'someone'}
                {i.comments > 0 && (
                  <span className={s.comments}>
                    <CommentIcon /> {i.comments}
                  </span>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}

      <Panel>
        <div className={s.listHead}>
          <nav className={s.stateToggle} aria-label="Which issues">
            <Link
              to="/$owner/$repo/issues"
              params={{ owner, repo: name }}
              search={{ ...filters, state: undefined, page: undefined }}
              aria-current={state === 'open' ? 'page' : undefined}
              className={s.stateLink}
              data-testid="open-issues"
              activeOptions={{ exact: true, includeSearch: true }}
            >
              <IssueIcon /> {openCount.data ?? '…'} Open
            </Link>
            <Link
              to="/$owner/$repo/issues"
              params={{ owner, repo: name }}
              search={{ ...filters, state: 'closed', page: undefined }}
              aria-current={state === 'closed' ? 'page' : undefined}
              className={s.stateLink}
              data-testid="closed-issues"
            >
              <IssueIcon closed /> {closedCount.data ?? '…'} Closed
            </Link>
          </nav>
          <div className={s.filters}>
            <FilterMenu
              title="Author"
              choices={personChoices}
              selected={filters.author ? [filters.author] : []}
              onSelect={([v]) => set({ author: v })}
              freeText="Any user name"
              testId="filter-author"
            />
            <FilterMenu title="Label" choices={labelChoices} selected={chosenLabels} multi onSelect={(v) => set({ labels: v.length ? v.join(',') : undefined })} testId="filter-label" />
            <FilterMenu title="Milestone" choices={milestoneChoices} selected={filters.milestone ? [filters.milestone] : []} onSelect={([v]) => set({ milestone: v })} testId="filter-milestone" />
            <FilterMenu
              title="Assignee"
              choices={personChoices}
              selected={filters.assignee ? [filters.assignee] : []}
              onSelect={([v]) => set({ assignee: v })}
              freeText="Any user name"
              testId="filter-assignee"
            />
            {me && (
              <button
                type="button"
                className={cx(s.filterButton, filters.mentioned === me.login && s.filterActive)}
                aria-pressed={filters.mentioned === me.login}
                onClick={() => set({ mentioned: filters.mentioned === me.login ? undefined : me.login })}
                data-testid="filter-mentioned"
              >
                Mentioning me
              </button>
            )}
            <FilterMenu
              title="Sort"
              choices={(Object.keys(SORT_LABEL) as IssueSort[]).map((k) => ({ value: k, text: SORT_LABEL[k], label: <span>{SORT_LABEL[k]}</span> }))}
              selected={[filters.sort ?? 'newest']}
              defaultValue="newest"
              onSelect={([v]) => set({ sort: v && v !== 'newest' ? (v as IssueSort) : undefined })}
              testId="filter-sort"
            />
          </div>
        </div>
        {q.isPending ? (
          <Loading />
        ) : q.isError ? (
          <ErrorState error={q.error} retry={() => void q.refetch()} />
        ) : q.data.items.length === 0 ? (
          <EmptyState title={filtered ? 'No results matched your search' : state === 'closed' ? 'No closed issues' : 'No open issues'}>
            {filtered ? 'Try other words or fewer filters.' : state === 'closed' ? 'Closed issues show up here.' : 'Issues track bugs, ideas and the work to do next.'}
          </EmptyState>
        ) : (
          <ul className={s.rows} data-testid="issue-list" aria-busy={q.isPlaceholderData}>
            {q.data.items.map((i) => (
              <IssueRow key={i.id} issue={i} owner={owner} repo={name} onLabel={(l) => set({ labels: l })} onMilestone={(m) => set({ milestone: m })} />
            ))}
          </ul>
        )}
      </Panel>
      <Pager page={page} hasNext={hasNext} onPage={(p) => void navigate({ search: (prev) => ({ ...prev, page: p > 1 ? p : undefined }) })} />
    </div>
  );
}

function PersonChoice({ login, note }: { login: string; note?: string }) {
  return (
    <span className={s.person}>
      <Avatar name={login} size={18} /> {login} {note && <span className="faint">({note})</span>}
    </span>
  );
}

/** The search box: submits on Enter (each search is a full-text query; not one per keystroke). */
function SearchBox({ value, onSearch }: { value: string; onSearch: (text: string) => void }) {
  const [text, setText] = useState(value);
  // the URL changed under us (a link, the back button): show what is searched now
  useEffect(() => setText(value), [value]);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    onSearch(text.trim());
  };
  return (
    <form className={s.search} role="search" onSubmit={onSubmit}>
      <label htmlFor="issue-search" className="visually-hidden">
        Search issues
      </label>
      <input id="issue-search" type="search" placeholder="Search all issues" value={text} onChange={(e) => setText(e.target.value)} data-testid="issue-search" maxLength={200} />
      <button type="submit" className={buttonClass('default', true)}>
        Search
      </button>
    </form>
  );
}

function IssueRow({ issue: i, owner, repo, onLabel, onMilestone }: { issue: Issue; owner: string; repo: string; onLabel: (name: string) => void; onMilestone: (title: string) => void }) {
  const closed = i.state === 'closed';
  const params = { owner, repo, number: String(i.number) };
  return (
    <li className={s.row} data-testid="issue-row" data-number={i.number}>
      <span className={cx(s.rowIcon, closed ? s.iconClosed : s.iconOpen)} title={closed ? 'Closed' : 'Open'}>
        <IssueIcon closed={closed} />
        <span className="visually-hidden">{closed ? 'Closed' : 'Open'}</span>
      </span>
      <div className={s.rowMain}>
        <div className={s.rowTitle}>
          {i.pull_request ? (
            <Link to="/$owner/$repo/pulls/$number" params={params} data-testid="issue-title">
              {i.title || '(no title)'}
            </Link>
          ) : (
            <Link to="/$owner/$repo/issues/$number" params={params} data-testid="issue-title">
              {i.title || '(no title)'}
            </Link>
          )}{' '}
          {i.labels.map((l) => (
            <LabelChip key={l.id} label={l} small onClick={() => onLabel(l.name)} />
          ))}
          {i.confidential && <ConfidentialBadge />}
        </div>
        <div className={s.rowMeta}>
          <span>
            #{i.number} {closed ? 'closed' : 'opened'} <RelativeTime iso={closed ? i.closed_at : i.created_at} /> by <UserName user={i.user} />
          </span>
          {i.milestone && (
            <button type="button" className={cx('linkish', s.metaLink)} onClick={() => onMilestone(i.milestone!.title)} title="Milestone">
              ⚑ {i.milestone.title}
            </button>
          )}
        </div>
      </div>
      <div className={s.rowSide}>
        {i.assignees.length > 0 && (
          <span className={s.assignees} title={`Assigned to ${i.assignees.map((u) => u.login).join(', ')}`}>
            {i.assignees.slice(0, 3).map((u) => (
              <Avatar key={u.id} name={u.login} size={20} />
            ))}
            <span className="visually-hidden">Assigned to {i.assignees.map((u) => u.login).join(', ')}</span>
          </span>
        )}
        {i.comments > 0 && (
          <Link
            to={i.pull_request ? '/$owner/$repo/pulls/$number' : '/$owner/$repo/issues/$number'}
            params={params}
            className={s.comments}
            title={`${i.comments} comments`}
            data-testid="comment-count"
          >
            <CommentIcon /> {i.comments}
          </Link>
        )}
      </div>
    </li>
  );
}
