// /<owner>/<repo>/ci/<id>: one job — its state (live), commit and branch, who pushed, how long
// it took or has been running, the exit code and why it ended — and its log, streamed in as the
// job writes it. Writers re-run a finished job (a new job) and cancel a queued or running one.
import { Link, useNavigate, useParams } from '@tanstack/react-router';
import { Button, ErrorState, FormError, Loading, NotFoundPanel, Panel, PanelHeader, RelativeTime, Spinner, useTitle } from '../../components/ui';
import { useRepoContext } from '../repo/RepoLayout';
import { isFinished, rawLogUrl, useCancelJob, useJob, useRerunJob } from './api';
import { JobDuration, JobStateBadge, jobStateWord } from './bits';
import { useJobLog } from './job-log';
import { LogView } from './LogView';
import s from './Ci.module.css';

export function CiJobPage() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const { id: raw } = useParams({ from: '/$owner/$repo/ci/$id' });
  const id = Number(raw);
  const valid = Number.isSafeInteger(id) && id > 0;
  if (!valid) return <NotFoundPanel />;
  return <JobView key={id} owner={owner} repo={name} id={id} canWrite={repo.permissions.push} fullName={repo.full_name} />;
}

function JobView({ owner, repo, id, canWrite, fullName }: { owner: string; repo: string; id: number; canWrite: boolean; fullName: string }) {
  const q = useJob(owner, repo, id);
  const job = q.data;
  const log = useJobLog(owner, repo, id, job?.state);
  const rerun = useRerunJob(owner, repo);
  const cancel = useCancelJob(owner, repo);
  const navigate = useNavigate();
  useTitle(job ? `Job #${job.id} · ${jobStateWord(job.state)} · ${fullName}` : undefined);

  if (q.isPending) return <Loading label="Loading the job…" />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const j = q.data;
  const done = isFinished(j.state);
  const params = { owner, repo };

  return (
    <div>
      <Panel>
        <div className={s.jobHead} data-testid="job-header" data-job={j.id} data-live={q.live}>
          <h2 className={s.jobTitle}>
            <JobStateBadge job={j} />
            <span>Job #{j.id}</span>
          </h2>
          <span className="muted">
            on{' '}
            <Link className={s.branch} to="/$owner/$repo/ci" params={params} search={{ branch: j.branch }}>
              {j.branch}
            </Link>{' '}
            at{' '}
            <Link className={s.sha} to="/$owner/$repo/commit/$sha" params={{ ...params, sha: j.sha }} data-testid="job-commit">
              {j.sha.slice(0, 10)}
            </Link>
          </span>
          <div className={s.jobActions}>
            {canWrite && !done && (
              <Button small variant="danger" busy={cancel.isPending} onClick={() => cancel.mutate(j.id)} data-testid="job-cancel">
                Cancel
              </Button>
            )}
            {canWrite && done && (
              <Button
                small
                busy={rerun.isPending}
                onClick={() => rerun.mutate(j.id, { onSuccess: (next) => void navigate({ to: '/$owner/$repo/ci/$id', params: { ...params, id: String(next.id) } }) })}
                data-testid="job-rerun"
              >
                Re-run
              </Button>
            )}
            <Link className="muted" to="/$owner/$repo/ci" params={params} search={{}}>
              All jobs
            </Link>
          </div>
        </div>
        <div className={s.facts}>
          <span>
            Duration <strong>{j.state === 'queued' ? '—' : <JobDuration job={j} />}</strong>
          </span>
          <span>
            Exit code <strong data-testid="job-exit-code">{j.exit_code ?? '—'}</strong>
          </span>
          <span>
            Queued <RelativeTime iso={j.created_at} />
          </span>
          {j.started_at && (
            <span>
              Started <RelativeTime iso={j.started_at} />
            </span>
          )}
          {j.finished_at && (
            <span>
              Finished <RelativeTime iso={j.finished_at} />
            </span>
          )}
          {j.pusher && (
            <span>
              Pushed by{' '}
              <Link to="/$owner" params={{ owner: j.pusher.login }}>
                {j.pusher.login}
              </Link>
            </span>
          )}
          {j.backend && (
            <span>
              Ran in <strong>{j.backend}</strong>
              {j.image ? (
                <>
                  {' '}
                  (<code>{j.image}</code>)
                </>
              ) : null}
            </span>
          )}
          {j.rerun_of !== null && (
            <span>
              Re-run of{' '}
              <Link to="/$owner/$repo/ci/$id" params={{ ...params, id: String(j.rerun_of) }}>
                #{j.rerun_of}
              </Link>
            </span>
          )}
        </div>
        {j.reason && (
          <div className={s.reason} data-testid="job-reason">
            {j.reason}
          </div>
        )}
        <div style={{ padding: '0 1.25rem' }}>
          <FormError error={rerun.error ?? cancel.error} />
        </div>
      </Panel>
      <Panel className={s.logPanel}>
        <PanelHeader className={s.logBar}>
          <strong>Log</strong>
          <div className={s.logBarRight}>
            {!done && (
              <span className="muted" data-testid="log-mode">
                {log.watching ? 'live' : 'refreshing every 2 s'}
              </span>
            )}
            <a href={rawLogUrl(owner, repo, j.id)} target="_blank" rel="noopener noreferrer">
              Raw log
            </a>
          </div>
        </PanelHeader>
        <FormError error={log.error} />
        <LogView
          lines={log.log.lines}
          open={log.log.openLine}
          version={log.version}
          running={!done}
          footer={
            !done && (
              <div className={s.cursor} data-testid="log-waiting">
                <Spinner />
                {j.state === 'queued' ? 'Waiting for a worker…' : 'Running…'}
              </div>
            )
          }
        />
      </Panel>
    </div>
  );
}
