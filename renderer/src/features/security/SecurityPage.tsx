// /<owner>/<repo>/security?state=&page=: what secret scanning found in the repository's history
// (rule, file and line linking to the code at the commit that brought it in, the commit, its
// author, a redacted preview), suppression with a reason, the rescan with its live progress, and
// the setting that refuses pushes adding a private key. Repository administrators only.
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import { Badge, Button, EmptyState, ErrorState, FormError, Hint, Loading, Modal, NotFoundPanel, Pager, Panel, PanelHeader, RelativeTime, useTitle } from '../../components/ui';
import { useRepoContext } from '../repo/RepoLayout';
import { useReadOnly } from '../session/api';
import { FINDINGS_PER_PAGE, scanRunning, useFindings, useScanSummary, useSecuritySettings, useSetFindingState, useSetSecuritySettings, useStartScan } from './api';
import type { Finding, FindingState, Scan } from './types';
import s from './Security.module.css';

const REASON_MAX = 1000;

export function SecurityPage() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const { state = 'open', page = 1 } = useSearch({ from: '/$owner/$repo/security' });
  const navigate = useNavigate({ from: '/$owner/$repo/security' });
  // only administrators may ask; the server answers 404 to anyone else anyway
  const admin = repo.permissions.admin;
  const summary = useScanSummary(owner, name, admin);
  const findings = useFindings(owner, name, state, page, admin);
  useTitle(`Security · ${repo.full_name}`);

  if (!admin || (summary.error instanceof ApiError && summary.error.notFound)) return <NotFoundPanel />;
  const total = findings.data?.total ?? null;
  const hasNext = total !== null ? page * FINDINGS_PER_PAGE < total : (findings.data?.items.length ?? 0) === FINDINGS_PER_PAGE;
  const setState = (next: FindingState) => void navigate({ search: { state: next === 'open' ? undefined : next, page: undefined } });

  return (
    <div className={s.page}>
      <div className={s.head}>
        <h2>Security</h2>
        <span className="muted">Secrets and risky files anywhere in this repository’s history. Only its administrators see this page.</span>
      </div>
      <ScanPanel summary={summary.data?.scan ?? null} loading={summary.isPending} error={summary.error} live={summary.live} />
      <SettingsPanel />
      <nav className={s.tabs} aria-label="Findings">
        <button type="button" className={state === 'open' ? `${s.tab} ${s.tabOn}` : s.tab} onClick={() => setState('open')} aria-pressed={state === 'open'} data-testid="findings-open">
          Open <span className={s.count}>{summary.data?.open ?? '–'}</span>
        </button>
        <button
          type="button"
          className={state === 'suppressed' ? `${s.tab} ${s.tabOn}` : s.tab}
          onClick={() => setState('suppressed')}
          aria-pressed={state === 'suppressed'}
          data-testid="findings-suppressed"
        >
          Suppressed <span className={s.count}>{summary.data?.suppressed ?? '–'}</span>
        </button>
      </nav>
      {findings.isError ? (
        <ErrorState error={findings.error} retry={() => void findings.refetch()} />
      ) : !findings.data ? (
        <Loading />
      ) : findings.data.items.length === 0 ? (
        <Panel>
          {state === 'open' ? (
            <EmptyState title={summary.data?.scan ? 'Nothing found' : 'No findings yet'} icon="✓">
              {summary.data?.scan
                ? 'No secrets or risky files in the history scanned so far. Every push is scanned as it lands.'
                : 'Every push is scanned as it lands. Scan the whole history once to find what was committed before.'}
            </EmptyState>
          ) : (
            <EmptyState title="Nothing suppressed" icon="◇">
              Findings you suppress, with the reason, are listed here.
            </EmptyState>
          )}
        </Panel>
      ) : (
        <div aria-busy={findings.isPlaceholderData} style={{ opacity: findings.isPlaceholderData ? 0.6 : 1 }}>
          <Panel>
            <table className={s.table} data-testid="findings">
              <thead>
                <tr>
                  <th>Rule</th>
                  <th>File</th>
                  <th>Commit</th>
                  <th>Author</th>
                  <th>Secret</th>
                  <th className={s.right} aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {findings.data.items.map((f) => (
                  <FindingRow key={f.id} f={f} />
                ))}
              </tbody>
            </table>
          </Panel>
          <Pager page={page} hasNext={hasNext} onPage={(p) => void navigate({ search: (prev) => ({ ...prev, page: p > 1 ? p : undefined }) })} />
        </div>
      )}
    </div>
  );
}

function progressOf(scan: Scan): { pct: number | null; text: string } {
  if (scan.state === 'queued') return { pct: null, text: 'Waiting to start…' };
  if (scan.phase === 'history' || scan.blobs_total === 0) return { pct: null, text: `Walking history… ${scan.commits.toLocaleString()} commits` };
  const pct = Math.min(100, Math.round((scan.blobs_done / scan.blobs_total) * 100));
  return { pct, text: `Reading files: ${scan.blobs_done.toLocaleString()} of ${scan.blobs_total.toLocaleString()} (${pct}%)` };
}

function ScanPanel({ summary: scan, loading, error, live }: { summary: Scan | null; loading: boolean; error: unknown; live: boolean }) {
  const repo = useRepoContext();
  const readOnly = useReadOnly();
  const start = useStartScan(repo.owner.login, repo.name);
  const running = scanRunning(scan);
  const progress = scan && running ? progressOf(scan) : null;
  return (
    <Panel>
      <PanelHeader>
        <h3 className={s.panelTitle}>History scan</h3>
        <Button small variant="primary" busy={start.isPending} disabled={readOnly || running || loading} onClick={() => start.mutate()} data-testid="rescan">
          {scan ? 'Rescan' : 'Scan history'}
        </Button>
      </PanelHeader>
      <div className={s.body} data-testid="scan-status" data-state={scan?.state ?? 'none'} data-live={live}>
        {loading ? (
          <Loading />
        ) : error ? (
          <ErrorState error={error} />
        ) : !scan ? (
          <p className="muted">The whole history has not been scanned yet; pushes are scanned as they land.</p>
        ) : running && progress ? (
          <div
            className={s.progress}
            role="progressbar"
            aria-label="Scan progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={progress.pct ?? undefined}
            aria-valuetext={progress.text}
            data-testid="scan-progress"
          >
            <div className={progress.pct === null ? `${s.progressBar} ${s.indeterminate}` : s.progressBar} style={progress.pct === null ? undefined : { width: `${progress.pct}%` }} />
            <span className={s.progressText}>{progress.text}</span>
          </div>
        ) : scan.state === 'failed' ? (
          <p className={s.failed}>
            The last scan failed <RelativeTime iso={scan.finished_at} />: {scan.error ?? 'unknown error'}
          </p>
        ) : (
          <p className="muted">
            Last scanned <RelativeTime iso={scan.finished_at} />: {scan.commits.toLocaleString()} commits, {scan.blobs_total.toLocaleString()} files read
            {scan.duration_ms !== null && ` in ${(scan.duration_ms / 1000).toFixed(1)} s`}
            {scan.findings_new > 0 && `, ${scan.findings_new} new ${scan.findings_new === 1 ? 'finding' : 'findings'}`}.
          </p>
        )}
        <FormError error={start.error} />
      </div>
    </Panel>
  );
}

function SettingsPanel() {
  const repo = useRepoContext();
  const readOnly = useReadOnly();
  const q = useSecuritySettings(repo.owner.login, repo.name);
  const save = useSetSecuritySettings(repo.owner.login, repo.name);
  // the new value at once, while it is saved: set in the click's own render (the mutation's state
  // arrives a moment later, and React would put the box back in between)
  const [saving, setSaving] = useState<boolean | null>(null);
  return (
    <Panel>
      <div className={s.body}>
        <label className={s.toggle}>
          <input
            type="checkbox"
            checked={saving ?? q.data?.refuse_private_keys ?? false}
            disabled={readOnly || !q.data || saving !== null}
            onChange={(e) => {
              const next = e.target.checked;
              setSaving(next);
              save.mutate({ refuse_private_keys: next }, { onSettled: () => setSaving(null) });
            }}
            data-testid="refuse-private-keys"
          />
          Refuse pushes that add a private key
        </label>
        <Hint>A push (or a web edit) whose new commits hold a private key (PEM, OpenSSH, PGP, PuTTY) is turned away, and the pusher is told which file and commit to fix.</Hint>
        <FormError error={q.error ?? save.error} />
      </div>
    </Panel>
  );
}

function FindingRow({ f }: { f: Finding }) {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const readOnly = useReadOnly();
  const change = useSetFindingState(owner, name);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const onSuppress = (e: FormEvent) => {
    e.preventDefault();
    change.mutate({ id: f.id, state: 'suppressed', reason: reason.trim() }, { onSuccess: () => setOpen(false) });
  };
  return (
    <tr data-testid="finding" data-rule={f.rule_id} data-state={f.state}>
      <td>
        <div className={s.rule}>{f.rule}</div>
        <Badge accent={f.severity === 'high'}>{f.severity}</Badge> <span className={s.ruleId}>{f.rule_id}</span>
      </td>
      <td className={s.path}>
        <Link to="/$owner/$repo/src/$" params={{ owner, repo: name, _splat: `commit/${f.commit_sha}/${f.path}` }} hash={f.line ? `L${f.line}` : undefined} data-testid="finding-link">
          {f.path}
          {f.line ? `:${f.line}` : ''}
        </Link>
      </td>
      <td>
        <Link className={s.sha} to="/$owner/$repo/commit/$sha" params={{ owner, repo: name, sha: f.commit_sha }}>
          {f.commit_sha.slice(0, 10)}
        </Link>
      </td>
      <td>
        <div title={f.author.email}>{f.author.name}</div>
        <div className="muted">
          <RelativeTime iso={f.committed_at} />
        </div>
      </td>
      <td className={s.secret}>{f.secret_preview ?? <span className="muted">the file</span>}</td>
      <td className={s.right}>
        {f.state === 'open' ? (
          <Button
            small
            disabled={readOnly}
            onClick={() => {
              change.reset();
              setReason('');
              setOpen(true);
            }}
            data-testid="suppress"
          >
            Suppress…
          </Button>
        ) : (
          <div className={s.suppressed}>
            <div>
              {f.suppressed_by ?? 'someone'}: “{f.suppress_reason}”
            </div>
            <Button small disabled={readOnly} busy={change.isPending} onClick={() => change.mutate({ id: f.id, state: 'open' })} data-testid="reopen">
              Reopen
            </Button>
          </div>
        )}
        <Modal
          open={open}
          onOpenChange={setOpen}
          title="Suppress this finding"
          actions={
            <>
              <Button onClick={() => setOpen(false)}>Cancel</Button>
              <Button variant="primary" type="submit" form={`suppress-${f.id}`} busy={change.isPending} disabled={!reason.trim()} data-testid="suppress-confirm">
                Suppress
              </Button>
            </>
          }
        >
          <form id={`suppress-${f.id}`} onSubmit={onSuppress}>
            <p className="muted">
              {f.rule} in <span className="mono">{f.path}</span>
              {f.line ? `:${f.line}` : ''}. Suppressing hides it from the open findings; the reason and your name are kept and audited.
            </p>
            <label htmlFor={`reason-${f.id}`}>Reason</label>
            <textarea
              id={`reason-${f.id}`}
              value={reason}
              maxLength={REASON_MAX}
              rows={3}
              required
              placeholder="Rotated on …; a test fixture; not a real key…"
              onChange={(e) => setReason(e.target.value)}
              data-testid="suppress-reason"
            />
            <FormError error={change.error} />
          </form>
        </Modal>
      </td>
    </tr>
  );
}
