// The wizard's "restore a backup instead" path: upload the archive, follow the verification,
// wait while the forge swaps the data in and restarts, then send the operator to sign in with
// the restored accounts.
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { Button, FormError, Hint, Notice } from '../../components/ui';
import { getSetupRestoreJob, setupRestore, type BackupJob } from './api';
import s from './Console.module.css';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once the restarted forge answers and no longer needs setup. */
async function waitForRestoredForge(): Promise<void> {
  for (;;) {
    await sleep(1000);
    try {
      const res = await fetch('/api/v1/auth/session', { credentials: 'same-origin' });
      if (res.ok && ((await res.json()) as { setup_required: boolean }).setup_required === false) return;
    } catch {
      // restarting: not listening for a moment
    }
  }
}

export function SetupRestore({ token }: { token: string }) {
  const [file, setFile] = useState<File | null>(null);
  const [job, setJob] = useState<BackupJob | null>(null);
  const [phase, setPhase] = useState<'idle' | 'uploading' | 'verifying' | 'restarting' | 'done'>('idle');
  const [error, setError] = useState<unknown>(null);

  const start = async () => {
    if (!file) return;
    setError(null);
    setPhase('uploading');
    try {
      let current = await setupRestore(token, file);
      setJob(current);
      setPhase('verifying');
      while (current.state === 'running') {
        await sleep(500);
        try {
          current = await getSetupRestoreJob(token, current.id);
        } catch (err) {
          // 409: the restored forge is up and setup is over, so the job is behind us; a failed
          // fetch: the forge is restarting. Anything else is a real error.
          if (err instanceof ApiError && err.status === 409) current = { ...current, state: 'restarting' };
          else if (!(err instanceof TypeError)) throw err;
        }
        setJob(current);
      }
      if (current.state === 'failed') throw new Error(current.error ?? 'the restore failed; nothing was changed');
      setPhase('restarting');
      await waitForRestoredForge();
      setPhase('done');
    } catch (err) {
      setError(err);
      setPhase('idle');
    }
  };

  return (
    <div data-testid="setup-restore">
      <h2>Restore a backup</h2>
      <p className="muted">
        The archive is checked in full (checksums, every repository's refs, git fsck, the database) before anything is swapped in. The forge then restarts with the restored data.
      </p>
      <label htmlFor="sr-file">Backup archive (.tar.gz)</label>
      <input id="sr-file" type="file" accept=".tar.gz,application/gzip" onChange={(e) => setFile(e.target.files?.[0] ?? null)} disabled={phase !== 'idle'} />
      <div className={s.row} style={{ marginTop: '0.9rem' }}>
        <Button variant="primary" onClick={() => void start()} disabled={!file || phase !== 'idle'} busy={phase !== 'idle' && phase !== 'done'}>
          Restore
        </Button>
        {phase === 'uploading' && <Hint>Uploading…</Hint>}
        {phase === 'verifying' && job && (
          <Hint>
            Verifying: {job.phase}
            {job.total > 0 && ` (${job.done}/${job.total})`}
          </Hint>
        )}
        {phase === 'restarting' && <Hint>Swapping the data in and restarting…</Hint>}
      </div>
      <FormError error={error} />
      {phase === 'done' && (
        <Notice kind="ok">
          Restored. <a href="/user/login?redirect_to=/console">Sign in</a> with an administrator account from the backup.
        </Notice>
      )}
    </div>
  );
}
