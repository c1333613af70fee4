// /-/shells: the viewer's dev shells, newest first — the running ones to open again or stop, and
// the recently ended ones with why they ended. Kept live by `shell.state`.
import { Link } from '@tanstack/react-router';
import { Button, EmptyState, ErrorState, FormError, Loading, Panel, PanelHeader, RelativeTime, useTitle } from '../../components/ui';
import { useCurrentUser } from '../session/api';
import { useMyShells, useStopShell } from './api';
import { ShellStateBadge, timeLeft, useNow } from './bits';
import { isLive } from './types';
import s from './Shells.module.css';

export function ShellsPage() {
  useTitle('Dev shells');
  const user = useCurrentUser();
  if (!user) {
    return (
      <Panel>
        <EmptyState title="Sign in to use dev shells" icon="❯">
          <a href="/user/login?redirect_to=/-/shells">Sign in</a>
        </EmptyState>
      </Panel>
    );
  }
  return <ShellList />;
}

function ShellList() {
  const q = useMyShells();
  const stop = useStopShell();
  const shells = q.data ?? [];
  const running = shells.filter((x) => isLive(x.state)).length;
  const now = useNow(running > 0, 5_000);
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  return (
    <Panel>
      <PanelHeader>
        <h1 className={s.title}>Dev shells</h1>
        <span className="muted" data-testid="shells-running">
          {running} running
        </span>
      </PanelHeader>
      <FormError error={stop.error} />
      {shells.length === 0 ? (
        <EmptyState title="No dev shells yet" icon="❯">
          Open one from a repository’s code page with <strong>Dev shell</strong>: a terminal in your browser with the repository checked out.
        </EmptyState>
      ) : (
        <div className={s.tableWrap}>
          <table className={s.list} data-testid="shells-list">
            <thead>
              <tr>
                <th>State</th>
                <th>Repository</th>
                <th>Started</th>
                <th>Time left / ended because</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {shells.map((sh) => {
                const live = isLive(sh.state);
                return (
                  <tr key={sh.id} data-testid="shell-row" data-shell={sh.id} data-state={sh.state}>
                    <td>
                      <ShellStateBadge state={sh.state} />
                    </td>
                    <td>
                      <Link to="/-/shells/$id" params={{ id: String(sh.id) }}>
                        {sh.repo}
                      </Link>{' '}
                      <code className="muted">{sh.branch}</code>
                    </td>
                    <td className={s.nowrap}>
                      <RelativeTime iso={sh.started_at ?? sh.created_at} />
                    </td>
                    <td className={s.reasonCell}>{live ? (sh.expires_at ? timeLeft(Date.parse(sh.expires_at) - now) : '—') : (sh.reason ?? '—')}</td>
                    <td>
                      <div className={s.actions}>
                        {live && (
                          <>
                            <Link to="/-/shells/$id" params={{ id: String(sh.id) }} className="muted">
                              Open
                            </Link>
                            <Button
                              small
                              variant="danger"
                              busy={stop.isPending && stop.variables === sh.id}
                              disabled={sh.state === 'stopping'}
                              onClick={() => stop.mutate(sh.id)}
                              data-testid="shell-row-stop"
                            >
                              Stop
                            </Button>
                          </>
                        )}
                      </div>
                    </td>
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
