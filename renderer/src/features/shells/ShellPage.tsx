// /-/shells/<id>: one of the viewer's dev shells — repository and branch, its state (live), the
// limits it runs with, the time left before its run-time limit and, when it is about to stop for
// being idle, a warning — and its terminal. Stop ends it; when it ends (stopped here, in another
// tab, by an administrator or by a limit) the reason shows above a terminal that is now read-only.
import { Link, useParams } from '@tanstack/react-router';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, EmptyState, ErrorState, FormError, Loading, NotFoundPanel, Notice, Panel, RelativeTime, useTitle } from '../../components/ui';
import { useConnectionState, useSocketEvent } from '../../lib/realtime';
import { useCurrentUser } from '../session/api';
import { useShell, useStopShell } from './api';
import { limitsLine, ShellStateBadge, shellStateWord, shellTitle, timeLeft, useNow } from './bits';
import { ShellTerminal, type AttachState } from './ShellTerminal';
import { isLive, type Shell } from './types';
import s from './Shells.module.css';

/** The idle warning shows this long before an idle shell is stopped. */
const IDLE_WARNING_MS = 2 * 60_000;

export function ShellPage() {
  const { id: raw } = useParams({ from: '/-/shells/$id' });
  const user = useCurrentUser();
  const id = Number(raw);
  if (!user) {
    return (
      <Panel>
        <EmptyState title="Sign in to use dev shells" icon="❯">
          <a href={`/user/login?redirect_to=${encodeURIComponent(`/-/shells/${raw}`)}`}>Sign in</a>
        </EmptyState>
      </Panel>
    );
  }
  if (!Number.isSafeInteger(id) || id <= 0) return <NotFoundPanel />;
  return <ShellView key={id} id={id} />;
}

function ShellView({ id }: { id: number }) {
  const q = useShell(id);
  const stop = useStopShell();
  const connection = useConnectionState();
  const [exit, setExit] = useState<{ code: number | null; reason: string | null } | null>(null);
  const [attach, setAttach] = useState<AttachState>({ attached: false, error: null });
  const [retries, setRetries] = useState(0);
  const lastInput = useRef(0);
  const [typedAt, setTypedAt] = useState(0);
  const shell = q.data;
  useTitle(shell ? `${shellTitle(shell)} · dev shell` : undefined);

  useSocketEvent('shell:exit', (e) => {
    if (e?.id === id) setExit({ code: e.code ?? null, reason: e.reason ?? null });
  });

  // a refused attach (the shell was still starting, say) is asked again when its state moves
  const state = shell?.state;
  const failed = useRef(false);
  failed.current = attach.error !== null;
  useEffect(() => {
    if (failed.current && state && isLive(state)) setRetries((n) => n + 1);
  }, [state]);

  // typing here resets the idle clock; noted (at most every few seconds) for the warning
  const onInput = useCallback(() => {
    const now = Date.now();
    lastInput.current = now;
    setTypedAt((prev) => (now - prev > 5_000 ? now : prev));
  }, []);

  if (q.isPending) return <Loading label="Loading the shell…" />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const sh = q.data;
  const live = isLive(sh.state) && !exit;
  const ended = !!exit || sh.state === 'stopped' || sh.state === 'failed';
  // asked to stop, not gone yet: nothing typed reaches it any more
  const reason = exit?.reason ?? sh.reason;
  const code = exit?.code ?? sh.exit_code;
  const [owner = '', repo = ''] = sh.repo.split('/');

  return (
    <div className={s.page} data-testid="shell-page" data-shell={sh.id} data-attached={attach.attached}>
      <Panel>
        <div className={s.head}>
          <h1 className={s.title}>
            <ShellStateBadge state={exit && isLive(sh.state) ? 'stopped' : sh.state} />
            <Link to="/$owner/$repo" params={{ owner, repo }} data-testid="shell-repo">
              {sh.repo}
            </Link>
            <span className={s.branch} data-testid="shell-branch">
              @ {sh.branch}
            </span>
          </h1>
          <span className={s.spacer} />
          {live && (
            <Button variant="danger" small busy={stop.isPending || sh.state === 'stopping'} onClick={() => stop.mutate(sh.id)} data-testid="shell-stop">
              Stop
            </Button>
          )}
          <Link to="/-/shells" className="muted">
            All shells
          </Link>
        </div>
        <ShellFacts shell={sh} live={live} connection={attach.attached ? 'attached' : connection === 'connected' ? 'attaching…' : 'reconnecting…'} />
      </Panel>
      <FormError error={stop.error} />
      {live && <IdleWarning shell={sh} typedAt={typedAt} refetch={() => void q.refetch()} />}
      {!live && !ended && (
        <div className={s.banner} data-testid="shell-stopping">
          <Notice kind="info">Stopping the shell…</Notice>
        </div>
      )}
      {ended && (
        <div className={s.banner} data-testid="shell-ended">
          <Notice kind={sh.state === 'failed' ? 'error' : 'info'}>
            {sh.state === 'failed' ? 'The shell failed' : 'The shell has ended'}
            {reason ? `: ${reason}` : ''}
            {typeof code === 'number' ? ` (exit code ${code})` : ''}. The terminal is read-only.
          </Notice>
        </div>
      )}
      {attach.error && live && (
        <Notice kind="error">
          <span data-testid="shell-attach-error">Could not attach to the shell: {attach.error}</span>
        </Notice>
      )}
      <div className={s.terminalPanel}>
        <ShellTerminal id={sh.id} readOnly={!live} retryKey={String(retries)} onAttach={setAttach} onInput={onInput} />
      </div>
    </div>
  );
}

function ShellFacts({ shell, live, connection }: { shell: Shell; live: boolean; connection: string }) {
  const now = useNow(live);
  const expires = shell.expires_at ? Date.parse(shell.expires_at) : null;
  return (
    <div className={s.facts}>
      <span data-testid="shell-limits">{limitsLine(shell.limits)}</span>
      {shell.backend && (
        <span>
          Runs in <strong>{shell.backend}</strong>
        </span>
      )}
      {live && expires !== null && (
        <span>
          Time left <strong data-testid="shell-time-left">{timeLeft(expires - now)}</strong>
        </span>
      )}
      {shell.started_at && (
        <span>
          Started <RelativeTime iso={shell.started_at} />
        </span>
      )}
      {shell.stopped_at && (
        <span>
          {shellStateWord(shell.state)} <RelativeTime iso={shell.stopped_at} />
        </span>
      )}
      {live && <span className={s.connection}>{connection}</span>}
    </div>
  );
}

/**
 * "Stops in 1 min 40 s unless you type": when the idle deadline is under two minutes away. The
 * deadline the server gave moves on with every keystroke, so typing here counts too, and the
 * shell is asked for again as the warning is due (someone may be typing in another tab).
 */
function IdleWarning({ shell, typedAt, refetch }: { shell: Shell; typedAt: number; refetch: () => void }) {
  const now = useNow(!!shell.idle_stops_at, 1_000);
  const given = shell.idle_stops_at ? Date.parse(shell.idle_stops_at) : null;
  const deadline = given === null ? null : Math.max(given, typedAt ? typedAt + shell.limits.idle_minutes * 60_000 : 0);
  const due = deadline !== null && deadline - now <= IDLE_WARNING_MS;
  const asked = useRef(0);
  useEffect(() => {
    if (!due || Date.now() - asked.current < 30_000) return;
    asked.current = Date.now();
    refetch();
  }, [due, refetch]);
  if (!due || deadline === null) return null;
  return (
    <div className={s.banner} data-testid="shell-idle-warning">
      <Notice kind="warn">
        This shell stops in <strong>{timeLeft(deadline - now)}</strong> because nobody has typed for a while. Type something to keep it running.
      </Notice>
    </div>
  );
}
