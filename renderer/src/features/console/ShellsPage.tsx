// Console → Shells: every dev shell running on the machine with what it uses (asked every 5 s,
// and at once when one of the viewer's own changes), stopped from here when need be; and the
// per-user and per-organization overrides of the limits new shells get. The defaults themselves
// are on the Settings page (shells.*).
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { Button, ConfirmModal, EmptyState, ErrorState, FormError, Hint, Loading, Modal, Panel, PanelHeader, useTitle } from '../../components/ui';
import {
  age,
  mib,
  minutes,
  NETWORK_WORDS,
  NETWORKS,
  ShellStateBadge,
  useAdminShells,
  useAdminStopShell,
  useDeleteOverride,
  usePutOverride,
  useShellOverrides,
  type OverrideLimits,
  type Shell,
  type ShellNetwork,
  type ShellOverride,
} from '../shells';
import { useSettings } from './api';
import { bytes } from './format';
import s from './Console.module.css';

export function ShellsPage() {
  useTitle('Console dev shells');
  return (
    <>
      <RunningShells />
      <Overrides />
    </>
  );
}

function RunningShells() {
  const q = useAdminShells();
  const stop = useAdminStopShell();
  const [confirm, setConfirm] = useState<Shell | null>(null);
  const now = Date.now();
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const shells = q.data;
  return (
    <Panel>
      <PanelHeader>
        <h2>Running dev shells</h2>
        <span className="muted" data-testid="console-shells-count">
          {shells.length}
        </span>
        <span className={s.grow} />
        <Link to="/console/settings" className="muted">
          Defaults in Settings
        </Link>
      </PanelHeader>
      {shells.length === 0 ? (
        <EmptyState title="No dev shell is running." icon="❯" />
      ) : (
        <div className={s.tableWrap}>
          <table className={s.table} data-testid="console-shells">
            <thead>
              <tr>
                <th>User</th>
                <th>Repository</th>
                <th>State</th>
                <th>Backend</th>
                <th>Age</th>
                <th>CPU</th>
                <th>Memory</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {shells.map((sh) => {
                const [owner = '', repo = ''] = sh.repo.split('/');
                const cpu = sh.usage?.cpu_percent;
                return (
                  <tr key={sh.id} data-testid="console-shell-row" data-shell={sh.id}>
                    <td>
                      <Link to="/$owner" params={{ owner: sh.user.login }}>
                        {sh.user.login}
                      </Link>
                    </td>
                    <td>
                      <Link to="/$owner/$repo" params={{ owner, repo }}>
                        {sh.repo}
                      </Link>
                      <span className="muted">@</span>
                      <code>{sh.branch}</code>
                    </td>
                    <td>
                      <ShellStateBadge state={sh.state} />
                    </td>
                    <td>{sh.backend ?? <span className="muted">—</span>}</td>
                    <td className={s.nowrap}>{age(sh.started_at ?? sh.created_at, now)}</td>
                    <td className={s.nowrap}>{cpu === null || cpu === undefined ? '—' : `${cpu.toFixed(cpu < 10 ? 1 : 0)} %`}</td>
                    <td className={s.nowrap}>
                      {bytes(sh.usage?.memory_bytes)} <span className="muted">of {mib(sh.limits.memory_mb)}</span>
                    </td>
                    <td>
                      <Button small variant="danger" disabled={sh.state === 'stopping'} onClick={() => setConfirm(sh)} data-testid="console-shell-stop">
                        Stop
                      </Button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmModal
        open={confirm !== null}
        title="Stop this dev shell?"
        confirmLabel="Stop it"
        busy={stop.isPending}
        error={stop.error}
        onCancel={() => {
          setConfirm(null);
          stop.reset();
        }}
        onConfirm={() => confirm && stop.mutate(confirm.id, { onSuccess: () => setConfirm(null) })}
      >
        {confirm && (
          <p>
            {confirm.user.login}’s shell in {confirm.repo}@{confirm.branch} ends at once; whatever runs in it is killed and nothing in it is kept.
          </p>
        )}
      </ConfirmModal>
    </Panel>
  );
}

type NumberKey = 'cpus' | 'memory_mb' | 'disk_mb' | 'pids' | 'runtime_minutes' | 'idle_minutes' | 'max_shells';

const NUMBER_FIELDS: Array<{ key: NumberKey; label: string; setting: string; step?: number; show: (n: number) => string }> = [
  { key: 'cpus', label: 'CPUs', setting: 'shells.defaultCpus', step: 0.5, show: String },
  { key: 'memory_mb', label: 'Memory (MiB)', setting: 'shells.defaultMemoryMb', show: mib },
  { key: 'disk_mb', label: 'Disk (MiB)', setting: 'shells.defaultDiskMb', show: mib },
  { key: 'pids', label: 'Processes', setting: 'shells.defaultPids', show: String },
  { key: 'runtime_minutes', label: 'Run time (minutes)', setting: 'shells.defaultRuntimeMinutes', show: minutes },
  { key: 'idle_minutes', label: 'Idle stop (minutes)', setting: 'shells.idleMinutes', show: minutes },
  { key: 'max_shells', label: 'Shells at once', setting: 'shells.maxPerUser', show: String },
];

/** An override's set limits as words: `4 CPUs · 8 GiB memory · 3 shells`. */
function overrideSummary(l: OverrideLimits): string {
  const parts: string[] = [];
  for (const f of NUMBER_FIELDS) {
    const v = l[f.key];
    if (typeof v === 'number') parts.push(`${f.label.replace(/ \(.*\)$/, '')}: ${f.show(v)}`);
  }
  if (l.network) parts.push(`Network: ${NETWORK_WORDS[l.network] ?? l.network}`);
  return parts.length ? parts.join(' · ') : 'nothing (inherits every default)';
}

function Overrides() {
  const q = useShellOverrides();
  const remove = useDeleteOverride();
  const [editing, setEditing] = useState<ShellOverride | 'new' | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  return (
    <Panel>
      <PanelHeader>
        <h2>Overrides</h2>
        <span className="muted">per user or organization</span>
        <span className={s.grow} />
        <Button small onClick={() => setEditing('new')} data-testid="override-add">
          Add override
        </Button>
      </PanelHeader>
      <div style={{ padding: '0 1rem' }}>
        <Hint>An override wins over the defaults for a user’s shells, or for shells in an organization’s repositories; what it leaves empty is inherited.</Hint>
      </div>
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorState error={q.error} retry={() => void q.refetch()} />
      ) : q.data.length === 0 ? (
        <EmptyState title="No overrides: every shell gets the defaults." icon="=" />
      ) : (
        <div className={s.tableWrap}>
          <table className={s.table} data-testid="shell-overrides">
            <thead>
              <tr>
                <th>Name</th>
                <th>Sets</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {q.data.map((o) => (
                <tr key={o.subject.login} data-testid="override-row" data-name={o.subject.login}>
                  <td className={s.nowrap}>
                    <Link to="/$owner" params={{ owner: o.subject.login }}>
                      {o.subject.login}
                    </Link>{' '}
                    <span className="muted">{o.subject.type === 'organization' ? 'organization' : 'user'}</span>
                  </td>
                  <td>{overrideSummary(o.limits)}</td>
                  <td>
                    <div className={s.row} style={{ justifyContent: 'flex-end' }}>
                      <Button small onClick={() => setEditing(o)}>
                        Edit
                      </Button>
                      <Button small variant="danger" onClick={() => setRemoving(o.subject.login)}>
                        Remove
                      </Button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && <OverrideForm override={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      <ConfirmModal
        open={removing !== null}
        title="Remove this override?"
        confirmLabel="Remove"
        busy={remove.isPending}
        error={remove.error}
        onCancel={() => {
          setRemoving(null);
          remove.reset();
        }}
        onConfirm={() => removing && remove.mutate(removing, { onSuccess: () => setRemoving(null) })}
      >
        <p>New shells of {removing} get the defaults again; shells running now keep their limits.</p>
      </ConfirmModal>
    </Panel>
  );
}

type Draft = Record<NumberKey, string> & { network: ShellNetwork | '' };

function toDraft(l: OverrideLimits | undefined): Draft {
  const d = { network: l?.network ?? '' } as Draft;
  for (const f of NUMBER_FIELDS) {
    const v = l?.[f.key];
    d[f.key] = typeof v === 'number' ? String(v) : '';
  }
  return d;
}

function OverrideForm({ override, onClose }: { override: ShellOverride | null; onClose: () => void }) {
  const put = usePutOverride();
  const defaults = useSettings().data;
  const [name, setName] = useState(override?.subject.login ?? '');
  const [draft, setDraft] = useState<Draft>(() => toDraft(override?.limits));
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    // every field is sent: an emptied one goes back to inheriting
    const limits: OverrideLimits = { network: draft.network || null };
    for (const f of NUMBER_FIELDS) limits[f.key] = draft[f.key].trim() === '' ? null : Number(draft[f.key]);
    put.mutate({ name: name.trim(), limits }, { onSuccess: onClose });
  };
  const inherit = (setting: string) => {
    const v = defaults?.[setting];
    return v === undefined || v === null ? 'inherit' : `inherit (${String(v)})`;
  };
  return (
    <Modal open onOpenChange={(o) => !o && onClose()} title={override ? `Override for ${override.subject.login}` : 'Add an override'}>
      <form onSubmit={submit} data-testid="override-form">
        {!override && (
          <>
            <label htmlFor="ov-name">User or organization</label>
            <input id="ov-name" type="text" required maxLength={40} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" spellCheck={false} />
          </>
        )}
        <div className={s.form} style={{ gridTemplateColumns: 'repeat(auto-fill, minmax(190px, 1fr))' }}>
          {NUMBER_FIELDS.map((f) => (
            <div key={f.key}>
              <label htmlFor={`ov-${f.key}`}>{f.label}</label>
              <input
                id={`ov-${f.key}`}
                type="number"
                min={f.key === 'max_shells' ? 0 : f.step ? f.step : 1}
                step={f.step ?? 1}
                value={draft[f.key]}
                placeholder={inherit(f.setting)}
                onChange={(e) => setDraft({ ...draft, [f.key]: e.target.value })}
              />
            </div>
          ))}
          <div>
            <label htmlFor="ov-network">Network</label>
            <select id="ov-network" value={draft.network} onChange={(e) => setDraft({ ...draft, network: e.target.value as ShellNetwork | '' })}>
              <option value="">{inherit('shells.defaultNetwork')}</option>
              {NETWORKS.map((n) => (
                <option key={n} value={n}>
                  {NETWORK_WORDS[n]}
                </option>
              ))}
            </select>
          </div>
        </div>
        <Hint>Empty fields inherit the default. “Shells at once” is how many one user may run (0: none).</Hint>
        <FormError error={put.error} />
        <div className={s.row} style={{ justifyContent: 'flex-end', marginTop: '1rem' }}>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={put.isPending} data-testid="override-save">
            Save
          </Button>
        </div>
      </form>
    </Modal>
  );
}
