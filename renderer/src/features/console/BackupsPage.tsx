// Console → Backups: back up now with live progress, the archives with their verify results,
// download, verify (a test restore into a temp folder), restore over the current data (a
// safety backup first, then a restart), upload, the schedule with retention, and where the
// records are kept, with the move from SQLite to PostgreSQL (`gitssy admin migrate-db`).
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Badge, Button, ConfirmModal, EmptyState, ErrorState, FormError, Hint, Loading, Modal, Notice, Panel, PanelHeader, RelativeTime, useTitle } from '../../components/ui';
import {
  deleteBackup,
  downloadUrl,
  rememberJob,
  startBackup,
  startMoveDb,
  startRestore,
  startVerify,
  uploadBackup,
  useBackupAction,
  useBackups,
  useDatabase,
  useJob,
  usePutSchedule,
  useSchedule,
  type Backup,
  type BackupJob,
} from './api';
import { bytes, jobProgressText } from './format';
import s from './Console.module.css';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function JobProgress({ id, onFinished }: { id: string; onFinished?: (job: BackupJob) => void }) {
  const q = useJob(id);
  const job = q.data;
  const reported = useRef(false);
  // a restore that restarted the forge: its answer after the restart may be a 401 (the restored
  // data doesn't know this session) rather than the job; either way the swap is behind us
  const restartedAway = q.isError && job?.state === 'restarting';
  useEffect(() => {
    if (!job || reported.current) return;
    if (job.state === 'done' || job.state === 'failed') {
      reported.current = true;
      onFinished?.(job);
    } else if (restartedAway) {
      reported.current = true;
      onFinished?.({ ...job, state: 'done' });
    }
  }, [job, restartedAway, onFinished]);
  if (!job) return q.isError ? <Notice kind="error">Lost track of the job: {q.error.message}</Notice> : <Loading label="Starting…" />;
  const pct = job.total > 0 ? Math.min(100, Math.round((job.done / job.total) * 100)) : job.state === 'done' ? 100 : 5;
  const what = { create: 'Backing up', verify: 'Verifying', restore: 'Restoring', 'move-db': 'Moving the records to PostgreSQL' }[job.type];
  const restarting = job.type === 'move-db' ? 'Moving the records to PostgreSQL and restarting the forge…' : 'Restarting the forge with the restored data…';
  return (
    <div data-testid={`job-${job.type}`} data-state={job.state}>
      <div className={s.row}>
        <strong>{job.state === 'done' ? `${what}: done` : job.state === 'failed' ? `${what}: failed` : job.state === 'restarting' ? restarting : `${what}…`}</strong>
        <span className="muted" data-testid="job-progress">
          {jobProgressText(job)}
        </span>
      </div>
      <div className={s.progress} role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100} aria-label={`${what} progress`}>
        <div className={s.progressBar} style={{ width: `${pct}%` }} />
      </div>
      {job.error && <Notice kind="error">{job.error}</Notice>}
    </div>
  );
}

function VerifyBadge({ b }: { b: Backup }) {
  if (!b.verify) return <span className="faint">not verified</span>;
  return b.verify.ok ? (
    <Badge accent>
      verified{b.verify.checked_at ? ' ' : ''}
      {b.verify.checked_at && <RelativeTime iso={b.verify.checked_at} />}
    </Badge>
  ) : (
    <span title={b.verify.error ?? ''}>
      <Badge>verify failed</Badge>
    </span>
  );
}

function ScheduleForm() {
  const q = useSchedule();
  const put = usePutSchedule();
  const [form, setForm] = useState<{ schedule: string; time: string; weekday: number; keep: number } | null>(null);
  useEffect(() => {
    if (q.data) setForm({ schedule: q.data.schedule, time: q.data.time, weekday: q.data.weekday, keep: q.data.keep });
  }, [q.data]);
  if (q.isError) return <ErrorState error={q.error} />;
  if (!form || !q.data) return <Loading />;
  return (
    <Panel pad>
      <h2>Schedule</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          put.mutate(form);
        }}
      >
        <div className={s.form}>
          <div>
            <label htmlFor="sch-kind">Back up</label>
            <select id="sch-kind" value={form.schedule} onChange={(e) => setForm({ ...form, schedule: e.target.value })}>
              <option value="off">never (manual only)</option>
              <option value="daily">every day</option>
              <option value="weekly">every week</option>
            </select>
          </div>
          {form.schedule === 'weekly' && (
            <div>
              <label htmlFor="sch-day">On</label>
              <select id="sch-day" value={form.weekday} onChange={(e) => setForm({ ...form, weekday: Number(e.target.value) })}>
                {WEEKDAYS.map((d, i) => (
                  <option key={d} value={i}>
                    {d}
                  </option>
                ))}
              </select>
            </div>
          )}
          <div>
            <label htmlFor="sch-time">At (server time)</label>
            <input id="sch-time" type="text" pattern="[0-2][0-9]:[0-5][0-9]" value={form.time} onChange={(e) => setForm({ ...form, time: e.target.value })} disabled={form.schedule === 'off'} />
          </div>
          <div>
            <label htmlFor="sch-keep">Keep the newest</label>
            <input id="sch-keep" type="number" min={1} max={1000} value={form.keep} onChange={(e) => setForm({ ...form, keep: Number(e.target.value) })} />
            <Hint>scheduled backups; older ones are deleted</Hint>
          </div>
        </div>
        <div className={s.row} style={{ marginTop: '0.9rem' }}>
          <Button type="submit" variant="primary" busy={put.isPending}>
            Save schedule
          </Button>
          {q.data.next_run_at && (
            <span className="muted">
              next run <RelativeTime iso={q.data.next_run_at} />
            </span>
          )}
        </div>
        <FormError error={put.error} />
      </form>
    </Panel>
  );
}

/** Where the records are, and the move from SQLite to an empty PostgreSQL database. */
function DatabasePanel() {
  const qc = useQueryClient();
  const q = useDatabase();
  const move = useBackupAction(startMoveDb);
  const [to, setTo] = useState('');
  const [confirm, setConfirm] = useState(false);
  const [job, setJob] = useState<string | null>(null);
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  if (!q.data) return <Loading />;
  const onFinished = (done: BackupJob) => {
    // the forge restarted on PostgreSQL: start over with fresh state
    if (done.state === 'done') window.location.assign('/console/backups');
  };
  return (
    <Panel pad>
      <h2>Database</h2>
      <p data-testid="database-kind">
        {q.data.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'} <span className="mono muted">{q.data.location}</span>
      </p>
      {q.data.kind === 'sqlite' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            move.reset();
            setConfirm(true);
          }}
        >
          <label htmlFor="db-move-to">Move the records to PostgreSQL</label>
          <div className={s.row}>
            <input
              id="db-move-to"
              type="text"
              className={`mono ${s.grow}`}
              style={{ minWidth: 'min(100%, 16rem)' }}
              required
              placeholder="postgres://user:password@host:5432/gitssy"
              value={to}
              onChange={(e) => setTo(e.target.value)}
              autoComplete="off"
            />
            <Button type="submit">Move to PostgreSQL…</Button>
          </div>
          <Hint>An empty database: every table is copied and verified (row counts and checksums) before the forge switches to it.</Hint>
        </form>
      )}
      {job && (
        <div style={{ marginTop: '0.8rem' }}>
          <JobProgress key={job} id={job} onFinished={onFinished} />
        </div>
      )}
      <ConfirmModal
        open={confirm}
        title="Move the records to PostgreSQL?"
        confirmLabel="Move and restart"
        busy={move.isPending}
        error={move.error}
        onConfirm={() =>
          move.mutate([to], {
            onSuccess: (started) => {
              rememberJob(qc, started as BackupJob);
              setJob((started as BackupJob).id);
              setConfirm(false);
            },
          })
        }
        onCancel={() => setConfirm(false)}
      >
        <p>
          The forge stops serving while every table is copied into the empty database and checked, then starts again on the same ports, on PostgreSQL. If anything doesn't match, the database is
          emptied again and the forge starts again on SQLite, unchanged. The SQLite file stays in the data dir, unused.
        </p>
      </ConfirmModal>
    </Panel>
  );
}

export function BackupsPage() {
  useTitle('Console backups');
  const qc = useQueryClient();
  const list = useBackups();
  const create = useBackupAction(startBackup);
  const verify = useBackupAction(startVerify);
  const restore = useBackupAction(startRestore);
  const remove = useBackupAction(deleteBackup);
  const [jobs, setJobs] = useState<Record<string, string>>({});
  const [includeCiLogs, setIncludeCiLogs] = useState(false);
  const [confirmRestore, setConfirmRestore] = useState<Backup | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<Backup | null>(null);
  const [uploadError, setUploadError] = useState<unknown>(null);
  const [uploading, setUploading] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: ['console', 'backups'] });
  const track = (key: string) => (job: BackupJob) => {
    rememberJob(qc, job);
    setJobs((j) => ({ ...j, [key]: job.id }));
  };

  const onRestoreFinished = (job: BackupJob) => {
    // the server restarted on the restored data: start over with fresh state
    if (job.state === 'done') window.location.assign('/console/backups');
  };

  return (
    <>
      <Panel pad>
        <div className={s.row}>
          <div className={s.grow} style={{ minWidth: 'min(100%, 18rem)' }}>
            <h2 style={{ margin: 0 }}>Back up now</h2>
            <Hint>
              One archive with the database, every repository, the SSH host key and the config, taken while the forge keeps serving. CI job logs are listed; their contents go in when you ask.
            </Hint>
          </div>
          <label className={s.check}>
            <input type="checkbox" checked={includeCiLogs} onChange={(e) => setIncludeCiLogs(e.target.checked)} /> Include CI logs
          </label>
          <Button variant="primary" busy={create.isPending} onClick={() => create.mutate([{ include_ci_logs: includeCiLogs }], { onSuccess: (job) => track('create')(job as BackupJob) })}>
            Back up now
          </Button>
        </div>
        <FormError error={create.error} />
        {jobs.create && (
          <div style={{ marginTop: '0.8rem' }}>
            <JobProgress key={jobs.create} id={jobs.create} onFinished={refresh} />
          </div>
        )}
      </Panel>

      <Panel>
        <PanelHeader>
          <strong className={s.grow}>Archives</strong>
          <input
            ref={fileRef}
            type="file"
            accept=".tar.gz,application/gzip"
            className="visually-hidden"
            aria-label="Backup archive to upload"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (!file) return;
              setUploadError(null);
              setUploading(true);
              try {
                await uploadBackup(file);
                refresh();
              } catch (err) {
                setUploadError(err);
              } finally {
                setUploading(false);
                e.target.value = '';
              }
            }}
          />
          <Button small busy={uploading} onClick={() => fileRef.current?.click()}>
            Upload an archive…
          </Button>
        </PanelHeader>
        <FormError error={uploadError ?? verify.error} />
        {jobs.verify && (
          <div style={{ padding: '0.8rem 1rem' }}>
            <JobProgress key={jobs.verify} id={jobs.verify} onFinished={refresh} />
          </div>
        )}
        {jobs.restore && (
          <div style={{ padding: '0.8rem 1rem' }}>
            <JobProgress key={jobs.restore} id={jobs.restore} onFinished={onRestoreFinished} />
          </div>
        )}
        {list.isPending ? (
          <Loading />
        ) : list.isError ? (
          <ErrorState error={list.error} retry={() => void list.refetch()} />
        ) : list.data.length === 0 ? (
          <EmptyState title="No backups yet">Back up now, or set a schedule below.</EmptyState>
        ) : (
          <div className={s.tableWrap}>
            <table className={s.table}>
              <thead>
                <tr>
                  <th>Archive</th>
                  <th>Taken</th>
                  <th>Size</th>
                  <th>Contents</th>
                  <th>Verified</th>
                  <th aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {list.data.map((b) => (
                  <tr key={b.name} data-testid={`backup-${b.name}`}>
                    <td>
                      <span className="mono">{b.name}</span> {b.kind !== 'manual' && <Badge>{b.kind}</Badge>}
                    </td>
                    <td className={`muted ${s.nowrap}`}>
                      <RelativeTime iso={b.created_at} />
                    </td>
                    <td className={`muted ${s.nowrap}`}>{bytes(b.size)}</td>
                    <td className="muted">
                      {b.repositories ?? '?'} {b.repositories === 1 ? 'repository' : 'repositories'}
                      {b.ci_logs && b.ci_logs.count > 0 && (
                        <span title={b.ci_logs.included ? 'the logs are in the archive' : 'listed only: the archive holds no log contents'}>
                          {' '}
                          · {b.ci_logs.count} CI {b.ci_logs.count === 1 ? 'log' : 'logs'} {b.ci_logs.included ? `(${bytes(b.ci_logs.bytes)})` : '(listed only)'}
                        </span>
                      )}{' '}
                      · v{b.app_version ?? '?'}
                    </td>
                    <td>
                      <VerifyBadge b={b} />
                    </td>
                    <td>
                      <span className={s.row} style={{ justifyContent: 'flex-end', flexWrap: 'nowrap' }}>
                        <a className="mono" href={downloadUrl(b.name)} download>
                          Download
                        </a>
                        <Button small onClick={() => verify.mutate([b.name], { onSuccess: (job) => track('verify')(job as BackupJob) })}>
                          Verify
                        </Button>
                        <Button small onClick={() => setConfirmRestore(b)}>
                          Restore…
                        </Button>
                        <Button small variant="danger" onClick={() => setConfirmDelete(b)} aria-label={`Delete ${b.name}`}>
                          Delete
                        </Button>
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>

      <ScheduleForm />

      <DatabasePanel />

      {confirmRestore && (
        <Modal
          open
          onOpenChange={(o) => !o && setConfirmRestore(null)}
          title="Restore this backup?"
          actions={
            <>
              <Button onClick={() => setConfirmRestore(null)}>Cancel</Button>
              <Button
                variant="danger"
                busy={restore.isPending}
                onClick={() =>
                  restore.mutate([confirmRestore.name], {
                    onSuccess: (job) => {
                      track('restore')(job as BackupJob);
                      setConfirmRestore(null);
                    },
                  })
                }
              >
                Restore and restart
              </Button>
            </>
          }
        >
          <p>
            The archive <span className="mono">{confirmRestore.name}</span> is verified first. Then a safety backup of the current data is taken, the data is swapped and the forge restarts on the same
            ports. Pushes made after this backup was taken are lost (the safety backup keeps them).
          </p>
          <FormError error={restore.error} />
        </Modal>
      )}
      <ConfirmModal
        open={confirmDelete !== null}
        title="Delete this backup?"
        confirmLabel="Delete"
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => confirmDelete && remove.mutate([confirmDelete.name], { onSuccess: () => setConfirmDelete(null) })}
        onCancel={() => {
          setConfirmDelete(null);
          remove.reset();
        }}
      >
        <p>
          <span className="mono">{confirmDelete?.name}</span> is deleted from the backups folder. This can't be undone.
        </p>
      </ConfirmModal>
    </>
  );
}
