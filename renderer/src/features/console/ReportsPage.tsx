// Console → Reports: what people reported (a post, a message, a person) with their reason and
// the thing itself, newest first, arriving live. For each: dismiss it, hide the post or message
// (gone for everyone but administrators), or disable the account that wrote it.
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { Button, EmptyState, ErrorState, FormError, Loading, Panel, PanelHeader, RelativeTime, useTitle } from '../../components/ui';
import { useReports, useResolveReport, type Report } from './api';
import s from './Console.module.css';

export function ReportsPage() {
  useTitle('Console reports');
  const [all, setAll] = useState(false);
  const reports = useReports(all ? 'all' : 'open');
  const resolve = useResolveReport();
  return (
    <Panel>
      <PanelHeader>
        <h2>Reports</h2>
        <label className="muted">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> Show handled ones too
        </label>
      </PanelHeader>
      <FormError error={resolve.error} />
      {reports.isPending ? (
        <Loading />
      ) : reports.isError ? (
        <ErrorState error={reports.error} retry={() => void reports.refetch()} />
      ) : reports.data.length === 0 ? (
        <EmptyState title={all ? 'No reports' : 'No open reports'} icon="✓">
          What people report about a post, a message or a person shows here.
        </EmptyState>
      ) : (
        <div className={s.tableWrap}>
          <table className={s.table} data-testid="reports">
            <thead>
              <tr>
                <th>Reported</th>
                <th>Reason</th>
                <th>By</th>
                <th>When</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {reports.data.map((r) => (
                <ReportRow key={r.id} r={r} busy={resolve.isPending} onResolve={(state, action) => resolve.mutate({ id: r.id, state, action })} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

function ReportRow({ r, busy, onResolve }: { r: Report; busy: boolean; onResolve: (state: 'resolved' | 'dismissed', action: 'hide' | 'disable' | 'none') => void }) {
  const author = r.user?.login;
  const content = r.post?.body ?? r.message?.body ?? null;
  return (
    <tr data-testid="report" data-report={r.id} data-state={r.state}>
      <td>
        <strong>{r.kind}</strong>
        {author && (
          <>
            {' by '}
            <Link to="/$owner" params={{ owner: author }}>
              {author}
            </Link>
          </>
        )}
        {content !== null && <blockquote className={s.quote}>{content}</blockquote>}
        {(r.post?.hidden || r.message?.hidden) && <span className="muted"> (hidden)</span>}
      </td>
      <td>{r.reason}</td>
      <td>{r.reporter?.login ?? 'someone'}</td>
      <td>
        <RelativeTime iso={r.created_at} />
      </td>
      <td className={s.actionsCell}>
        {r.state === 'open' ? (
          <>
            {r.kind !== 'user' && (
              <Button small variant="danger" busy={busy} onClick={() => onResolve('resolved', 'hide')} data-testid="report-hide">
                Hide it
              </Button>
            )}
            {author && (
              <Button small variant="danger" busy={busy} onClick={() => onResolve('resolved', 'disable')} data-testid="report-disable">
                Disable {author}
              </Button>
            )}
            <Button small busy={busy} onClick={() => onResolve('dismissed', 'none')} data-testid="report-dismiss">
              Dismiss
            </Button>
          </>
        ) : (
          <span className="muted">
            {r.state}
            {r.resolution && r.resolution !== 'none' ? `: ${r.resolution}` : ''}
          </span>
        )}
      </td>
    </tr>
  );
}
