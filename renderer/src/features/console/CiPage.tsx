// Console → CI: which backend runs jobs and why (every candidate with what it found), the
// workers and limits, and the jobs running and waiting across the site, kept current while
// they move. The settings themselves are on the Settings page (ci.*).
import { Link } from '@tanstack/react-router';
import { EmptyState, ErrorState, Loading, Notice, Panel, PanelHeader, RelativeTime, useTitle } from '../../components/ui';
import { JobDuration, JobStateIcon, useAdminCi, type CiJob } from '../ci';
import { bytes } from './format';
import s from './Console.module.css';

const LIMIT_LABELS: Record<string, string> = {
  cpus: 'CPUs',
  memoryMb: 'Memory (MiB)',
  memory_mb: 'Memory (MiB)',
  pids: 'Processes',
  diskMb: 'Disk (MiB)',
  disk_mb: 'Disk (MiB)',
  network: 'Network',
  timeoutSeconds: 'Timeout (s)',
  timeout_seconds: 'Timeout (s)',
  timeoutSec: 'Timeout (s)',
  logMaxBytes: 'Largest log',
  log_max_bytes: 'Largest log',
};

export function CiPage() {
  useTitle('Console CI');
  const q = useAdminCi();
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const ci = q.data;
  const b = ci.backend;
  return (
    <>
      <Panel>
        <PanelHeader>
          <h2>Backend</h2>
          <span className="muted">
            setting <code>{b.setting}</code>
          </span>
        </PanelHeader>
        <div style={{ padding: '0.8rem 1rem 0' }} data-testid="ci-backend" data-active={b.active ?? ''}>
          {b.active ? (
            <Notice kind="ok">
              Jobs run in <strong>{b.active}</strong>: {b.reason}
            </Notice>
          ) : (
            <Notice kind="warn">No backend can run jobs, so pushes are not built: {b.reason}</Notice>
          )}
        </div>
        <div className={s.tableWrap}>
          <table className={s.table} data-testid="ci-candidates">
            <thead>
              <tr>
                <th>Backend</th>
                <th>Usable</th>
                <th>Found</th>
              </tr>
            </thead>
            <tbody>
              {b.candidates.map((c) => (
                <tr key={c.name}>
                  <td>
                    <code>{c.name}</code>
                  </td>
                  <td>{c.ok ? 'yes' : 'no'}</td>
                  <td className="muted">{c.ok ? c.detail : c.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
      <Panel>
        <PanelHeader>
          <h2>Workers and limits</h2>
          <Link to="/console/settings" className="muted">
            Change in Settings
          </Link>
        </PanelHeader>
        <div className={s.tableWrap}>
          <table className={s.table} data-testid="ci-limits">
            <tbody>
              <tr>
                <td>Workers (jobs at once)</td>
                <td>{ci.workers}</td>
              </tr>
              <tr>
                <td>Default image</td>
                <td>{ci.default_image ? <code>{ci.default_image}</code> : <span className="muted">the backend’s default</span>}</td>
              </tr>
              {Object.entries(ci.limits).map(([k, v]) => (
                <tr key={k}>
                  <td>{LIMIT_LABELS[k] ?? k}</td>
                  <td>{typeof v === 'number' && /bytes/i.test(k) ? bytes(v) : typeof v === 'object' ? JSON.stringify(v) : String(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
      <JobTable title="Running" jobs={ci.running} testId="ci-running" empty="Nothing is running." />
      <JobTable title="Queued" jobs={ci.queued} testId="ci-queued" empty="The queue is empty." />
    </>
  );
}

function JobTable({ title, jobs, testId, empty }: { title: string; jobs: CiJob[]; testId: string; empty: string }) {
  return (
    <Panel>
      <PanelHeader>
        <h2>{title}</h2>
        <span className="muted">{jobs.length}</span>
      </PanelHeader>
      {jobs.length === 0 ? (
        <EmptyState title={empty} icon="✓" />
      ) : (
        <div className={s.tableWrap}>
          <table className={s.table} data-testid={testId}>
            <thead>
              <tr>
                <th>Job</th>
                <th>Repository</th>
                <th>Branch</th>
                <th>Pushed by</th>
                <th>Queued</th>
                <th>Duration</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((j) => {
                const [owner = '', repo = ''] = j.repo.split('/');
                return (
                  <tr key={j.id}>
                    <td className={s.nowrap}>
                      <JobStateIcon state={j.state} />{' '}
                      <Link to="/$owner/$repo/ci/$id" params={{ owner, repo, id: String(j.id) }}>
                        #{j.id}
                      </Link>
                    </td>
                    <td>
                      <Link to="/$owner/$repo/ci" params={{ owner, repo }}>
                        {j.repo}
                      </Link>
                    </td>
                    <td>
                      <code>{j.branch}</code>
                    </td>
                    <td>{j.pusher?.login ?? <span className="muted">—</span>}</td>
                    <td className={s.nowrap}>
                      <RelativeTime iso={j.created_at} />
                    </td>
                    <td className={s.nowrap}>{j.state === 'running' ? <JobDuration job={j} /> : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
