// Console → Dashboard: is the forge up, where teammates reach it (URLs and QR codes), the SSH
// host key to trust, disk, counts and live git sessions; maintenance mode one click away.
import { useState } from 'react';
import { Button, ErrorState, FormError, Hint, Loading, Notice, Panel, PanelHeader, useTitle } from '../../components/ui';
import { CopyButton } from '../code/CopyButton';
import { useSetMaintenance, useStatus, type Status } from './api';
import { bytes, duration } from './format';
import s from './Console.module.css';

const svgImage = (svg: string) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

function Card({ label, value, hint }: { label: string; value: React.ReactNode; hint?: React.ReactNode }) {
  return (
    <Panel className={s.card}>
      <div className={s.cardLabel}>{label}</div>
      <div className={s.cardValue}>{value}</div>
      {hint && <div className={s.cardHint}>{hint}</div>}
    </Panel>
  );
}

function MaintenanceControl({ status }: { status: Status }) {
  const stored = status.maintenance.message;
  // null: the operator has not typed here, so the toggle keeps whatever message is stored (the settings page or the
  // tray may have changed it since this page's status was fetched) instead of writing back a stale copy
  const [edited, setEdited] = useState<string | null>(null);
  const message = edited ?? stored;
  const set = useSetMaintenance();
  const on = status.maintenance.enabled;
  return (
    <Panel pad>
      <h2>Maintenance mode</h2>
      <p className="muted">While it is on, every write is refused on every transport (pushes see your message) and reads keep working.</p>
      <label htmlFor="mm-message">Message shown to users</label>
      <input id="mm-message" type="text" maxLength={500} value={message} onChange={(e) => setEdited(e.target.value)} placeholder="Back in ten minutes: upgrading the disk" />
      <div className={s.row} style={{ marginTop: '0.8rem' }}>
        <Button
          variant={on ? 'default' : 'primary'}
          busy={set.isPending}
          onClick={() => set.mutate({ enabled: !on, ...(edited !== null ? { message: edited } : {}) }, { onSuccess: () => setEdited(null) })}
          data-testid="maintenance-toggle"
        >
          {on ? 'Turn maintenance off' : 'Turn maintenance on'}
        </Button>
        {set.data && set.data.enabled && typeof set.data.waited_for === 'number' && <Hint>Waited for {set.data.waited_for} push(es) in flight.</Hint>}
      </div>
      <FormError error={set.error} />
    </Panel>
  );
}

export function DashboardPage() {
  useTitle('Console');
  const q = useStatus();
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const st = q.data;
  const diskTotal = st.disk.total_bytes;
  return (
    <>
      <div className={s.cards}>
        <Card
          label="Status"
          value={
            <span data-testid="console-status">
              <span className={s.statusDot} data-state={st.status} />
              {st.status === 'maintenance' ? 'Maintenance' : 'Running'}
            </span>
          }
          hint={`up ${duration(st.uptime_seconds)} · ${st.version}`}
        />
        <Card label="Repositories" value={st.counts.repositories} hint={`${st.counts.users} users · ${st.counts.organizations} orgs`} />
        <Card label="Git sessions" value={st.git_sessions.active} hint={`${st.git_sessions.pushes_in_flight} pushes in flight · ${st.git_sessions.pack_queued} queued`} />
        <Card label="Disk" value={bytes(st.disk.data.bytes)} hint={`${bytes(st.disk.free_bytes)} free${diskTotal ? ` of ${bytes(diskTotal)}` : ''}${st.disk.data.complete ? '' : ' · at least'}`} />
      </div>
      {st.maintenance.enabled && <Notice kind="warn">Maintenance mode is on{st.maintenance.message ? `: ${st.maintenance.message}` : ''}.</Notice>}
      <Panel>
        <PanelHeader>
          <strong>Where teammates reach {st.instance_name}</strong>
          <span className="muted">{st.mdns.enabled ? (st.mdns.advertising ? 'announced on the LAN (mDNS)' : 'mDNS on, not announcing yet') : 'mDNS off'}</span>
        </PanelHeader>
        {st.urls.map((u) => (
          <div className={s.urlRow} key={u.http}>
            <img className={s.qr} src={svgImage(u.http_qr_svg)} alt={`QR code for ${u.http}`} />
            <div>
              <div className={s.row}>
                <code className="mono">{u.http}</code>
                <CopyButton text={u.http} what="web address" />
              </div>
              {u.ssh && (
                <div className={s.row} style={{ marginTop: '0.4rem' }}>
                  <code className="mono">{u.ssh}</code>
                  <CopyButton text={u.ssh} what="SSH address" />
                </div>
              )}
              <Hint>{u.address}</Hint>
            </div>
          </div>
        ))}
      </Panel>
      {st.ssh && (
        <Panel pad>
          <h2>SSH</h2>
          <p className="muted">Teammates can check this fingerprint the first time their client asks.</p>
          <code className={s.code} data-testid="host-key-fingerprint">
            {st.ssh.host_key_fingerprint}
          </code>
          <div className={s.row}>
            <strong className={s.grow}>~/.ssh/config</strong>
            <CopyButton text={st.ssh.config_snippet} what="SSH config snippet" />
          </div>
          <code className={s.code}>{st.ssh.config_snippet}</code>
          <div className={s.row}>
            <strong className={s.grow}>known_hosts line</strong>
            <CopyButton text={st.ssh.known_hosts_line} what="known_hosts line" />
          </div>
          <code className={s.code}>{st.ssh.known_hosts_line}</code>
        </Panel>
      )}
      <MaintenanceControl status={st} />
    </>
  );
}
