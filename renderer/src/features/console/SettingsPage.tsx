// Console → Settings: the runtime settings an operator changes, in one all-or-nothing save
// (only the fields that changed are sent), and a test mail with the SMTP settings.
import { useEffect, useMemo, useState } from 'react';
import { Button, ErrorState, FormError, Hint, Loading, Notice, Panel, useTitle } from '../../components/ui';
import { usePatchSettings, useSendTestMail, useSettings, type Settings } from './api';
import { BillingWebhook } from './BillingWebhook';
import s from './Console.module.css';

type Kind = 'text' | 'password' | 'number' | 'bool' | 'select' | 'cidrs' | 'mib';
interface Field {
  key: string;
  label: string;
  kind: Kind;
  hint?: string;
  options?: string[];
  /** What a select shows for each option (the option itself when absent). */
  labels?: Record<string, string>;
  step?: number;
}
interface Section {
  title: string;
  intro?: string;
  fields: Field[];
}

const MIB = 1024 * 1024;

const SECTIONS: Section[] = [
  {
    title: 'General',
    fields: [
      { key: 'instance.name', label: 'Instance name', kind: 'text' },
      { key: 'instance.publicUrl', label: 'Address teammates use', kind: 'text', hint: 'e.g. http://192.168.1.20:3000; clone URLs and the QR codes use it' },
      {
        key: 'registration.mode',
        label: 'Registration',
        kind: 'select',
        options: ['open', 'approval', 'closed'],
        hint: 'open: anyone on the LAN; approval: an admin activates new accounts; closed: admins create accounts',
      },
    ],
  },
  {
    title: 'Sign-in',
    intro:
      'With two-factor sign-in required, every account without it (yours too) is sent to Settings → Security to turn it on before it can do anything else in the browser. Someone who lost their phone and recovery codes gets a reset under Users.',
    fields: [{ key: 'security.require2fa', label: 'Require two-factor sign-in for everyone', kind: 'bool' }],
  },
  {
    title: 'Network',
    intro: 'Transports switched off refuse new sessions at once; a listener that was not started needs a restart.',
    fields: [
      { key: 'transports.http', label: 'Git over HTTP(S)', kind: 'bool' },
      { key: 'transports.ssh', label: 'Git over SSH', kind: 'bool' },
      { key: 'transports.git', label: 'git:// (read-only, public repositories)', kind: 'bool' },
      {
        key: 'ssh.sendAheadKiB',
        label: 'SSH send-ahead (KiB)',
        kind: 'number',
        hint: 'how far a clone over SSH may run ahead of the client; 512 suits a LAN; raise it for teammates on long fast links (bandwidth × round trip, e.g. 4096 for 100 Mbit/s at 300 ms)',
      },
      { key: 'lan.mdns', label: 'Announce on the LAN (mDNS / DNS-SD)', kind: 'bool' },
      { key: 'access.allowCidrs', label: 'Trusted IP ranges', kind: 'cidrs', hint: 'one CIDR per line (e.g. 192.168.1.0/24); empty allows everyone; this machine (loopback) is always allowed' },
      {
        key: 'webhooks.allowCidrs',
        label: 'Webhook targets allowed on private networks',
        kind: 'cidrs',
        hint: "one CIDR per line (e.g. 192.168.1.0/24); webhooks to loopback, link-local and private addresses are refused unless listed here; the forge's own ports never",
      },
    ],
  },
  {
    title: 'Limits',
    fields: [
      { key: 'git.maxPushBytes', label: 'Largest push (MiB, 0 = no limit)', kind: 'mib' },
      { key: 'git.maxCloneBytes', label: 'Largest clone (MiB, 0 = no limit)', kind: 'mib' },
      { key: 'git.maxRepoBytes', label: 'Repository quota (MiB, 0 = none)', kind: 'mib' },
      { key: 'limits.gitSessionsPerUser', label: 'Git sessions per user', kind: 'number' },
      { key: 'limits.gitSessionsPerIp', label: 'Git sessions per address', kind: 'number' },
    ],
  },
  {
    title: 'Maintenance',
    fields: [
      { key: 'maintenance.message', label: 'Maintenance message', kind: 'text' },
      { key: 'maintenance.adminsExempt', label: 'Administrators may still write during maintenance', kind: 'bool' },
    ],
  },
  {
    title: 'Mail (SMTP)',
    fields: [
      { key: 'smtp.host', label: 'Host', kind: 'text' },
      { key: 'smtp.port', label: 'Port', kind: 'number' },
      { key: 'smtp.secure', label: 'TLS from the start (port 465)', kind: 'bool' },
      { key: 'smtp.user', label: 'User', kind: 'text' },
      { key: 'smtp.password', label: 'Password', kind: 'password', hint: 'write-only: leave empty to keep the stored one' },
      { key: 'smtp.from', label: 'From address', kind: 'text' },
    ],
  },
  {
    title: 'AI commit messages',
    intro:
      'A "Write message" button in the commit and pull request forms asks a model on your own Ollama server; the suggestion is checked against the diff before it can be used. Off while the host is empty. Never a cloud service.',
    fields: [
      { key: 'ai.ollamaHost', label: 'Ollama host', kind: 'text', hint: 'e.g. http://127.0.0.1:11434 or http://gpu-box.lan:11434; empty turns the feature off' },
      { key: 'ai.model', label: 'Model', kind: 'text', hint: 'a model pulled on that server, e.g. qwen2.5-coder:7b or llama3.2' },
      { key: 'ai.timeoutSeconds', label: 'Timeout (seconds)', kind: 'number', hint: 'a suggestion that takes longer is given up' },
    ],
  },
  {
    title: 'CI',
    intro:
      'Every push that moves a branch runs that commit’s .ci/run.sh. auto takes Docker, then Podman, then the host sandbox (bubblewrap), whichever works first; the CI page shows which runs jobs and why. GITSSY_CI_BACKEND, when set, wins over this choice.',
    fields: [
      { key: 'ci.backend', label: 'Backend', kind: 'select', options: ['auto', 'docker', 'podman', 'sandbox', 'off'] },
      { key: 'ci.workers', label: 'Jobs at once', kind: 'number' },
      {
        key: 'ci.defaultImage',
        label: 'Default image',
        kind: 'text',
        hint: 'for Docker and Podman, e.g. debian:12; empty: the backend’s default; the host sandbox runs on this machine’s system and ignores images',
      },
      { key: 'ci.cpus', label: 'CPUs per job', kind: 'number', step: 0.5 },
      { key: 'ci.memoryMb', label: 'Memory per job (MiB)', kind: 'number' },
      { key: 'ci.pids', label: 'Processes per job', kind: 'number' },
      { key: 'ci.diskMb', label: 'Disk per job (MiB)', kind: 'number' },
      {
        key: 'ci.network',
        label: 'Network',
        kind: 'select',
        options: ['none', 'lan', 'open'],
        hint: 'none: no network at all; lan and open: the host sandbox shares this machine’s network (it can’t tell them apart)',
      },
      { key: 'ci.timeoutSeconds', label: 'Timeout (seconds)', kind: 'number' },
      { key: 'ci.logMaxBytes', label: 'Largest log kept (MiB)', kind: 'mib' },
    ],
  },
  {
    title: 'Dev shell defaults',
    intro:
      'What each new dev shell gets unless an override for its user or organization says otherwise (Console → Shells). Shells run in the same backend as CI. A shell stops when its run time is up or nobody has typed for the idle time.',
    fields: [
      { key: 'shells.defaultCpus', label: 'CPUs', kind: 'number', step: 0.5 },
      { key: 'shells.defaultMemoryMb', label: 'Memory (MiB)', kind: 'number' },
      { key: 'shells.defaultDiskMb', label: 'Disk (MiB)', kind: 'number' },
      { key: 'shells.defaultPids', label: 'Processes', kind: 'number' },
      { key: 'shells.defaultRuntimeMinutes', label: 'Run time (minutes)', kind: 'number' },
      { key: 'shells.idleMinutes', label: 'Stop when idle for (minutes)', kind: 'number' },
      {
        key: 'shells.defaultNetwork',
        label: 'Network',
        kind: 'select',
        options: ['none', 'lan', 'open'],
        labels: { none: 'No network', lan: 'Internet only (LAN blocked)', open: 'Open' },
      },
      { key: 'shells.maxPerUser', label: 'Shells per user', kind: 'number', hint: '0 turns dev shells off' },
      { key: 'shells.maxTotal', label: 'Shells on this machine', kind: 'number', hint: '0 turns dev shells off' },
      { key: 'shells.image', label: 'Image', kind: 'text', hint: 'for Docker and Podman, e.g. debian:12; empty: the CI default image; the host sandbox ignores images' },
    ],
  },
  {
    title: 'Billing',
    intro: 'Credits bought through Stripe pay for dev shell and CI minutes. Off: no billing page, no menu entry, nothing charged. Plans, prices and balances are under Console → Billing.',
    fields: [
      { key: 'billing.enabled', label: 'Sell credits and charge for dev shell and CI minutes', kind: 'bool' },
      { key: 'billing.stripeSecretKey', label: 'Stripe secret key', kind: 'password', hint: 'write-only (sk_test_… or sk_live_…): leave empty to keep the stored one' },
      { key: 'billing.stripeWebhookSecret', label: 'Stripe webhook signing secret', kind: 'password', hint: 'write-only (whsec_…): leave empty to keep the stored one' },
      { key: 'billing.shellMinuteCredits', label: 'Credits per dev shell minute', kind: 'number', hint: '0: free' },
      { key: 'billing.ciMinuteCredits', label: 'Credits per CI minute', kind: 'number', hint: '0: free' },
      { key: 'billing.defaultCurrency', label: 'Default currency', kind: 'text', hint: 'three lower-case letters, e.g. usd: for visitors whose locale’s currency a plan has no price in' },
    ],
  },
];

type Draft = Record<string, string | boolean>;

function toDraft(settings: Settings): Draft {
  const d: Draft = {};
  for (const f of SECTIONS.flatMap((x) => x.fields)) {
    const v = settings[f.key];
    if (f.kind === 'bool') d[f.key] = v === true;
    else if (f.kind === 'cidrs') d[f.key] = Array.isArray(v) ? v.join('\n') : '';
    else if (f.kind === 'mib') d[f.key] = typeof v === 'number' ? String(Math.round(v / MIB)) : '0';
    else if (f.kind === 'password') d[f.key] = '';
    else d[f.key] = v === undefined || v === null ? '' : String(v);
  }
  return d;
}

function fromDraft(f: Field, v: string | boolean): unknown {
  if (f.kind === 'bool') return v === true;
  if (f.kind === 'cidrs')
    return String(v)
      .split(/[\s,]+/)
      .filter(Boolean);
  if (f.kind === 'mib') return Math.round(Number(v) * MIB);
  if (f.kind === 'number') return Number(v);
  return v;
}

export function SettingsPage() {
  useTitle('Console settings');
  const q = useSettings();
  const save = usePatchSettings();
  const mail = useSendTestMail();
  const [draft, setDraft] = useState<Draft | null>(null);
  const initial = useMemo(() => (q.data ? toDraft(q.data) : null), [q.data]);
  useEffect(() => {
    if (initial) setDraft(initial);
  }, [initial]);

  if (q.isPending || !draft || !initial) return q.isError ? <ErrorState error={q.error} retry={() => void q.refetch()} /> : <Loading />;
  const fields = SECTIONS.flatMap((x) => x.fields);
  const changed = fields.filter((f) => draft[f.key] !== initial[f.key] && !(f.kind === 'password' && draft[f.key] === ''));
  const set = (key: string, v: string | boolean) => setDraft({ ...draft, [key]: v });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    save.mutate(Object.fromEntries(changed.map((f) => [f.key, fromDraft(f, draft[f.key]!)])));
  };

  return (
    <form onSubmit={submit} className={s.stack}>
      {SECTIONS.map((section) => (
        <Panel pad key={section.title}>
          <h2>{section.title}</h2>
          {section.intro && <p className="muted">{section.intro}</p>}
          <div className={s.form}>
            {section.fields.map((f) => {
              const id = `set-${f.key}`;
              const v = draft[f.key];
              if (f.kind === 'bool') {
                return (
                  <label key={f.key} className={s.check} htmlFor={id}>
                    <input id={id} type="checkbox" checked={v === true} onChange={(e) => set(f.key, e.target.checked)} /> {f.label}
                  </label>
                );
              }
              return (
                <div key={f.key} style={f.kind === 'cidrs' ? { gridColumn: '1 / -1' } : undefined}>
                  <label htmlFor={id}>{f.label}</label>
                  {f.kind === 'select' ? (
                    <select id={id} value={String(v)} onChange={(e) => set(f.key, e.target.value)}>
                      {f.options!.map((o) => (
                        <option key={o} value={o}>
                          {f.labels?.[o] ?? o}
                        </option>
                      ))}
                    </select>
                  ) : f.kind === 'cidrs' ? (
                    <textarea id={id} value={String(v)} onChange={(e) => set(f.key, e.target.value)} placeholder={'192.168.1.0/24\n10.0.0.0/8'} spellCheck={false} />
                  ) : (
                    <input
                      id={id}
                      type={f.kind === 'password' ? 'password' : f.kind === 'text' ? 'text' : 'number'}
                      step={f.step}
                      min={f.kind === 'text' || f.kind === 'password' ? undefined : 0}
                      autoComplete={f.kind === 'password' ? 'new-password' : 'off'}
                      value={String(v)}
                      onChange={(e) => set(f.key, e.target.value)}
                    />
                  )}
                  {f.hint && <Hint>{f.hint}</Hint>}
                </div>
              );
            })}
          </div>
          {section.title === 'Mail (SMTP)' && (
            <div className={s.row} style={{ marginTop: '0.9rem' }}>
              <Button onClick={() => mail.mutate(undefined)} busy={mail.isPending} disabled={changed.some((f) => f.key.startsWith('smtp.'))} title="Save your changes first">
                Send test mail
              </Button>
              {mail.isSuccess && <Notice kind="ok">Test mail sent to {mail.data.to}.</Notice>}
              <FormError error={mail.error} />
            </div>
          )}
          {section.title === 'Billing' && <BillingWebhook settings={q.data} />}
        </Panel>
      ))}
      <Panel pad>
        <div className={s.row}>
          <Button type="submit" variant="primary" busy={save.isPending} disabled={changed.length === 0}>
            Save changes{changed.length ? ` (${changed.length})` : ''}
          </Button>
          <Button onClick={() => setDraft(initial)} disabled={changed.length === 0}>
            Discard
          </Button>
          {save.isSuccess && changed.length === 0 && <Notice kind="ok">Saved.</Notice>}
        </div>
        <FormError error={save.error} />
      </Panel>
    </form>
  );
}
