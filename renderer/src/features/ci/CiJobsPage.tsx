// /<owner>/<repo>/ci?branch=&state=&page=: the repository's CI jobs, newest first, each with
// its state, branch, commit, who pushed and how long it took. States change live (ci.job).
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useEffect, useState, type FormEvent } from 'react';
import { EmptyState, ErrorState, Loading, Pager, Panel, RelativeTime, useTitle } from '../../components/ui';
import { useRepoContext } from '../repo/RepoLayout';
import { JOBS_PER_PAGE, useJobs } from './api';
import { JobDuration, JobStateIcon, jobStateWord } from './bits';
import { JOB_STATES, type CiJob, type JobState } from './types';
import s from './Ci.module.css';

export function CiJobsPage() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const { branch, state, page = 1 } = useSearch({ from: '/$owner/$repo/ci' });
  const navigate = useNavigate({ from: '/$owner/$repo/ci' });
  const q = useJobs(owner, name, { branch, state, page });
  const [branchInput, setBranchInput] = useState(branch ?? '');
  useEffect(() => setBranchInput(branch ?? ''), [branch]);
  useTitle(`CI · ${repo.full_name}`);

  const setFilter = (next: { branch?: string; state?: JobState }) => void navigate({ search: (prev) => ({ ...prev, ...next, page: undefined }) });
  const onBranch = (e: FormEvent) => {
    e.preventDefault();
    setFilter({ branch: branchInput.trim() || undefined });
  };
  const filtered = !!branch || !!state;
  const total = q.data?.total ?? null;
  const hasNext = total !== null ? page * JOBS_PER_PAGE < total : (q.data?.items.length ?? 0) === JOBS_PER_PAGE;

  return (
    <div>
      <div className={s.head} data-testid="ci-head" data-live={q.live}>
        <h2>CI</h2>
        {total !== null && (
          <span className="muted" data-testid="job-total">
            {total} {total === 1 ? 'job' : 'jobs'}
          </span>
        )}
        <div className={s.filters}>
          <form onSubmit={onBranch} role="search" aria-label="Filter by branch">
            <input
              type="search"
              aria-label="Branch"
              placeholder="Branch"
              value={branchInput}
              maxLength={255}
              onChange={(e) => setBranchInput(e.target.value)}
              onBlur={onBranch}
              data-testid="job-branch-filter"
            />
          </form>
          <select aria-label="State" value={state ?? ''} onChange={(e) => setFilter({ state: (e.target.value || undefined) as JobState | undefined })} data-testid="job-state-filter">
            <option value="">Any state</option>
            {JOB_STATES.map((st) => (
              <option key={st} value={st}>
                {jobStateWord(st)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {q.isError ? (
        <ErrorState error={q.error} retry={() => void q.refetch()} />
      ) : !q.data ? (
        <Loading />
      ) : q.data.items.length === 0 ? (
        <Panel>
          {filtered ? (
            <EmptyState title="No jobs match">
              Nothing {state ? `${jobStateWord(state).toLowerCase()} ` : ''}
              {branch ? `on ${branch}` : ''}.{' '}
              <Link to="/$owner/$repo/ci" params={{ owner, repo: name }} search={{}}>
                Show every job
              </Link>
            </EmptyState>
          ) : (
            <EmptyState title="No CI jobs yet" icon="▷">
              A push runs <code>.ci/run.sh</code> from the pushed commit, if it has one, in an isolated environment; its jobs show up here.
            </EmptyState>
          )}
        </Panel>
      ) : (
        <div aria-busy={q.isPlaceholderData} style={{ opacity: q.isPlaceholderData ? 0.6 : 1 }}>
          <Panel>
            <ul className={s.rows} data-testid="job-list">
              {q.data.items.map((job) => (
                <JobRow key={job.id} job={job} owner={owner} repo={name} />
              ))}
            </ul>
          </Panel>
          <Pager page={page} hasNext={hasNext} onPage={(p) => void navigate({ search: (prev) => ({ ...prev, page: p > 1 ? p : undefined }) })} />
        </div>
      )}
    </div>
  );
}

function JobRow({ job, owner, repo }: { job: CiJob; owner: string; repo: string }) {
  return (
    <li className={s.row} data-testid="job-row" data-job={job.id} data-state={job.state}>
      <JobStateIcon state={job.state} size={18} />
      <div className={s.rowMain}>
        <div className={s.rowTitle}>
          <Link to="/$owner/$repo/ci/$id" params={{ owner, repo, id: String(job.id) }}>
            Job #{job.id}
          </Link>
          <span className="muted" style={{ fontWeight: 400 }}>
            {jobStateWord(job.state)}
            {job.rerun_of !== null && ` · re-run of #${job.rerun_of}`}
          </span>
        </div>
        <div className={s.meta}>
          <Link className={s.branch} to="/$owner/$repo/ci" params={{ owner, repo }} search={{ branch: job.branch }} title={`Jobs on ${job.branch}`}>
            {job.branch}
          </Link>
          <Link className={s.sha} to="/$owner/$repo/commit/$sha" params={{ owner, repo, sha: job.sha }}>
            {job.sha.slice(0, 10)}
          </Link>
          {job.pusher && <span>pushed by {job.pusher.login}</span>}
        </div>
      </div>
      <div className={s.rowSide}>
        <RelativeTime iso={job.created_at} />
        {job.state !== 'queued' && job.state !== 'skipped' && <JobDuration job={job} />}
      </div>
    </li>
  );
}
